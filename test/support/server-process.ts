/** The built server as its own process, for tests that kill it the hard way (scripts/spawn-server.mjs). */
export { adminToken, killHard, spawnServer } from '../../scripts/spawn-server.mjs';
