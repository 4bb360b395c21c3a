// Jest in ESM mode (`node --experimental-vm-modules`), TypeScript through @swc/jest.
// Six projects: `unit` (code beside its spec: pure code, temp files, local servers on port 0),
// `services` (a probe against its real counterpart started by the test: `*.snmpd.spec.ts`,
// `*.node-exporter.spec.ts`), `e2e` (real server on port 0, real SQLite, InfluxDB, PostgreSQL,
// collectors), `browser` (Debian's chromium through playwright-core), `faults` (test/faults: kills and
// outages), `fuzz` (fast-check hostile input against a real server, test/fuzz; docs/RELIABILITY.md).
import { swcOptions } from './scripts/swc.options.mjs';

const transform = { '^.+\\.ts$': ['@swc/jest', swcOptions] };
const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@zhuyun/protocol$': '<rootDir>/protocol/src/index.ts',
    '^@zhuyun/collectors$': '<rootDir>/collectors/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  rootDir: '.',
};

const SERVICE_SPECS = '\\.(snmpd|node-exporter)\\.spec\\.ts$';

export default {
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/test/support/summary.reporter.mjs'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{protocol,server,collectors,dashboard}/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', SERVICE_SPECS],
    },
    { ...common, displayName: 'services', testMatch: ['<rootDir>/collectors/src/**/*.{snmpd,node-exporter}.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'] },
    // Fault tests (issue 9): real processes killed, services stopped, disks filled (docs/RELIABILITY.md "Faults").
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.spec.ts'] },
    // Hostile input (fast-check) against a real server; FUZZ_RUNS raises the runs, FUZZ_SEED replays.
    { ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.spec.ts'] },
  ],
};
