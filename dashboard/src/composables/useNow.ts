import { onScopeDispose, ref, type Ref } from 'vue';

/**
 * The current time (epoch ms), refreshed every `intervalMs` on the boundary (a clock that shows
 * seconds changes with the second, not up to a second late), while the calling scope lives.
 */
export function useNow(intervalMs = 1_000): Readonly<Ref<number>> {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setTimeout>;
  const tick = () => {
    now.value = Date.now();
    timer = setTimeout(tick, intervalMs - (now.value % intervalMs) + 5);
  };
  timer = setTimeout(tick, intervalMs - (now.value % intervalMs) + 5);
  onScopeDispose(() => clearTimeout(timer));
  return now;
}
