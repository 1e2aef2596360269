/**
 * zod schemas of the Engramia REST responses the runbook uses (engramia-api.md §7). Objects are
 * open (unknown fields are ignored: the server adds fields between versions); every field a
 * probe reads is required with its type, so a renamed or retyped field surfaces as schema drift.
 */
import * as z from 'zod';

export const ROLE_ORDER = ['reader', 'editor', 'admin', 'owner'] as const;
export type EngramiaRole = (typeof ROLE_ORDER)[number];

const int = z.number().int();

export const versionSchema = z.object({
  app_version: z.string(),
  api_version: z.string(),
  git_commit: z.string().optional(),
  build_time: z.string().optional(),
});
export type VersionInfo = z.infer<typeof versionSchema>;

export const healthSchema = z.object({
  status: z.string(),
  storage: z.string(),
  pattern_count: int,
});
export type Health = z.infer<typeof healthSchema>;

const checkStatus = z.object({
  status: z.string(),
  latency_ms: z.number().nullable().optional(),
  error: z.string().nullable().optional(),
});
export const deepHealthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'error']),
  version: z.string(),
  uptime_seconds: z.number(),
  checks: z.record(z.string(), checkStatus),
});
export type DeepHealth = z.infer<typeof deepHealthSchema>;

export const metricsSchema = z.object({
  runs: int,
  success_rate: z.number(),
  avg_eval_score: z.number().nullable(),
  pattern_count: int,
  reuse_rate: z.number(),
});
export type Metrics = z.infer<typeof metricsSchema>;

export const learnResponseSchema = z.object({ stored: z.boolean(), pattern_count: int });
export type LearnResponse = z.infer<typeof learnResponseSchema>;

export const reuseTierSchema = z.enum(['duplicate', 'adapt', 'fresh']);
export const recallMatchSchema = z.object({
  similarity: z.number(),
  reuse_tier: reuseTierSchema,
  pattern_key: z.string(),
  pattern: z.object({
    task: z.string(),
    code: z.string().nullable(),
    success_score: z.number(),
    reuse_count: int,
  }),
});
export const recallResponseSchema = z.object({
  matches: z.array(recallMatchSchema),
  has_more: z.boolean(),
  next_offset: int.nullable(),
});
export type RecallMatch = z.infer<typeof recallMatchSchema>;
export type RecallResponse = z.infer<typeof recallResponseSchema>;

export const billingStatusSchema = z.object({
  plan_tier: z.string(),
  status: z.string(),
  patterns_used: int,
  patterns_limit: int.nullable(),
  eval_runs_used: int.optional(),
  eval_runs_limit: int.nullable().optional(),
  projects_used: int.optional(),
  projects_limit: int.nullable().optional(),
  /** Absent on v0.6.6. */
  cancel_at_period_end: z.boolean().optional(),
});
export type BillingStatus = z.infer<typeof billingStatusSchema>;

export const keyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  key_prefix: z.string(),
  role: z.enum(ROLE_ORDER),
  tenant_id: z.string(),
  project_id: z.string(),
  revoked_at: z.string().nullable().optional(),
  expires_at: z.string().nullable().optional(),
});
export const keyListSchema = z.object({ keys: z.array(keyInfoSchema) });
export type KeyInfo = z.infer<typeof keyInfoSchema>;

export const auditSchema = z.object({
  events: z.array(z.object({ timestamp: z.string(), action: z.string(), actor: z.string().nullable().optional() })),
  total: int,
});
export type AuditResponse = z.infer<typeof auditSchema>;

export const exportSchema = z.object({
  records: z.array(
    z.object({
      key: z.string(),
      data: z.object({
        task: z.string(),
        design: z.object({ source: z.string().optional(), classification: z.string().optional() }),
        success_score: z.number().optional(),
        timestamp: z.number().optional(),
      }),
    }),
  ),
  count: int,
});
export type ExportResponse = z.infer<typeof exportSchema>;

export const jobSchema = z.object({
  id: z.string(),
  operation: z.string(),
  status: z.string(),
  created_at: z.string().optional(),
});
export const jobListSchema = z.object({ jobs: z.array(jobSchema) });
export type Job = z.infer<typeof jobSchema>;

export const retentionSchema = z.object({
  tenant_id: z.string(),
  project_id: z.string(),
  retention_days: int.nullable(),
  source: z.string(),
});
export type Retention = z.infer<typeof retentionSchema>;

export const retentionApplySchema = z.union([
  z.object({ purged_count: int, dry_run: z.boolean() }),
  z.object({ job_id: z.string(), status: z.string() }),
]);
export type RetentionApply = z.infer<typeof retentionApplySchema>;

export const deletePatternSchema = z.object({ deleted: z.boolean(), pattern_key: z.string() });

export const scopedDeleteSchema = z.object({
  tenant_id: z.string(),
  project_id: z.string(),
  patterns_deleted: int,
  jobs_deleted: int,
  keys_revoked: int,
  projects_deleted: int,
});
export type ScopedDelete = z.infer<typeof scopedDeleteSchema>;
