import { Injectable } from '@nestjs/common';

/** Runs the simulated city fleet in-process (ZHUYUN_SIMULATE=1). Filled in with the collectors' Agent. */
@Injectable()
export class SimulationService {
  async start(_url: string): Promise<void> {}
}
