/**
 * Judging test cases: comparing a test's output with what was expected, and choosing verdicts.
 * Pure logic, without I/O.
 */
package io.execgate.judge;
