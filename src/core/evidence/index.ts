/** Evidence (no `vscode`): the append-only JSON-lines log beside a runbook, the cutover report, JUnit XML. */
export {
  appendEvidence, appendEvidenceAll, readEvidence, readEvidenceDetailed, parseEvidence, evidencePathFor, evidenceFromRun, hostRecordsFromRun, handTickRecord,
  recordInputs, currentUser, SECRET_PLACEHOLDER,
  type EvidenceRecord, type EvidenceEvent, type ReadResult, type RecordContext,
} from './log';
export { renderReport, itemsOf, taskItemId, type ReportItem, type ReportOptions } from './report';
export { renderJUnit, xmlEscape, type JUnitRun } from './junit';
export { writeFileSafely, checkOutputFile, checkReadableFile, ensureFolder, isInside, UnsafePathError } from './safeFile';
