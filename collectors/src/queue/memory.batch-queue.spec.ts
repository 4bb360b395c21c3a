import { batchQueueContract } from './batch-queue.contract.js';
import { MemoryBatchQueue } from './memory.batch-queue.js';

batchQueueContract('MemoryBatchQueue', async (maxPoints) => new MemoryBatchQueue({ maxPoints }));
