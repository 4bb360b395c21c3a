// Jest in ESM mode (`node --experimental-vm-modules`), TypeScript through @swc/jest.
// Three projects: `unit` (pure code, no I/O but temp files), `e2e` (real server on port 0, real
// SQLite, real collectors), `browser` (Debian's chromium through playwright-core).
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

export default {
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/test/support/summary.reporter.mjs'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{protocol,server,collectors,dashboard}/src/**/*.spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'] },
  ],
};
