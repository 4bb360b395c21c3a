import type { TimeSeriesStore } from '../storage/time-series.store.js';
import type { MetricsService } from './metrics.service.js';

/**
 * Times the store's write and query calls into zhuyun_store_operation_duration_seconds. Patches the
 * instance's own methods (no wrapper object) so that the store keeps its class and its other methods.
 */
export function timeStore<S extends TimeSeriesStore>(store: S, metrics: MetricsService): S {
  const write = store.write.bind(store);
  const query = store.query.bind(store);
  const timed = <A extends unknown[], R>(operation: string, fn: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const end = metrics.storeDuration.startTimer({ operation });
      try {
        const r = await fn(...args);
        end({ outcome: 'ok' });
        return r;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    };
  const s: TimeSeriesStore = store;
  s.write = timed('write', write);
  s.query = timed('query', query);
  return store;
}
