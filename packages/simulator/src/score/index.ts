export * from './accuracy-report.ts';
export {
  createPhoneKey,
  matchRecords,
  type PhoneKeyOf,
  phoneKey,
  type RecordMatch,
} from './match-records.ts';
export { type ParsedInsert, parseInsertStatement, readSqlDump } from './read-dump.ts';
export { readFieldProvenance } from './read-provenance.ts';
export { formatRate, reportFootnotes, reportRows } from './report-rows.ts';
export { CALIBRATION_BINS, type CalibrationPair, scoreCalibration } from './score-calibration.ts';
export { AUTO_ACCEPT, CORE_COLUMNS, EXTRA_COLUMNS, scoreRebuild } from './score-rebuild.ts';
export { readPlanFile, type ScoreTargetOptions, type ScoreTargetPhase, scoreTarget } from './score-target.ts';
