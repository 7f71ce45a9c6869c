/**
 * The store: the only code that touches Deno KV. One file per operation; this module gathers
 * them for callers that use many (the worker, the web API, tests, the bench). A CLI command
 * imports the files of the operations it runs instead: a CLI start pays for every module it
 * loads, and this one loads the whole store (B1, B6).
 *
 * @module
 */
export { isRemoteLocation, openStore, resolveLocation, type Store } from "./open.ts";
export { enqueueJobs, enqueueMany, newJob } from "./enqueue.ts";
export { enqueueUnique, type UniqueOutcome } from "./enqueue_unique.ts";
export { type Claimed, claimNext } from "./claim.ts";
export { type AttemptReport, finishAttempt, type FinishOptions, ownsAttempt } from "./finish.ts";
export { noteUnwrittenResult, type UnwrittenAttempt } from "./unwritten_result.ts";
export { isWriteRefused } from "./db_errors.ts";
export { finishAndClaimNext, type Handoff, releaseClaim } from "./handoff.ts";
export { type BatchItem, type BatchOutcome, finishBatch } from "./finish_batch.ts";
export { nextDueAt, promoteDue } from "./promote.ts";
export { type Recovered, recoverLost } from "./recover.ts";
export { countJobs, getJob, type JobPage, listAttempts, listJobs } from "./query.ts";
export { readOutput, writeOutputChunk } from "./output.ts";
export { MAX_RUNS, readMergedOutput, writeOutputRuns } from "./output_runs.ts";
export type { OutputRuns, OutputSegment } from "./output_runs.ts";
export {
  countLabeled,
  LABEL_SCAN,
  labeledIds,
  type LabelSelector,
  listLabeled,
} from "./label_query.ts";
export { type CursorPage, pageJobs, type PageOrder } from "./page.ts";
export { pageByCreation } from "./created_page.ts";
export { type CreatedPlan, pageCreatedView } from "./created_view.ts";
export { searchJobs, type SearchResult } from "./search.ts";
export { type ListingScan, scanListing } from "./listing_scan.ts";
export { readMetrics, readTotals, sweepMetrics } from "./metrics.ts";
export { envNames, readEnv, sweepEnvBlobs } from "./env_blob.ts";
export { MetricTally } from "./metric_tally.ts";
export { retryAllDead, retryDead } from "./dlq.ts";
export { cancelJob, cancelJobs } from "./cancel.ts";
export { retryJob, retryJobs } from "./retry.ts";
export type { BulkResult, Selection } from "./bulk.ts";
export { type Propagated, propagateDone, propagatePending } from "./propagate.ts";
export { releaseJob, releaseJobs } from "./release.ts";
export { deleteJob, deleteJobs, purgeJobs } from "./delete.ts";
export { readConfig, resetConfig, writeConfig } from "./config_store.ts";
export { type ClaimedHook, claimHooks, countHooks, finishHook } from "./hook_outbox.ts";
export { ensureQueues, queueCache, updateQueue } from "./queue_registry.ts";
export { listQueues, type QueueStatus, readQueueCounts } from "./queue_read.ts";
export {
  assertWritable,
  listWorkers,
  pruneWorkers,
  putWorker,
  readStopRequest,
  readWorkerInbox,
  removeWorker,
  requestStop,
  type WorkerRecord,
  type WorkerState,
} from "./workers.ts";
export type { OutputStream } from "../output_stream.ts";
