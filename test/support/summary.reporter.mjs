// Prints one plain closing line, `jest: N passed, N failed, N skipped`, so that whoever reads only
// the last lines of a run (CI) sees the counts without knowing jest's own summary format.
// A suite that fails to load counts as a failure.
export default class SummaryReporter {
  onRunComplete(_contexts, r) {
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    process.stdout.write(`\njest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`);
  }
}
