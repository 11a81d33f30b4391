import { spawnSync } from 'node:child_process';

/**
 * CI's dependency audit (.ci/run, docs/operations.md "Dependency updates"):
 * `npm audit --omit=dev --audit-level=high`, i.e. the packages that run in production, failing on
 * high and critical advisories. It prints each finding with what fixes it.
 *
 * When the registry's audit endpoint cannot be reached (an offline or mirrored registry answers
 * 404/405), the audit did not happen: that fails too, unless NPM_AUDIT_OFFLINE=allow says this
 * machine is known to be offline — then it warns, and the audit must be run where the registry
 * answers before a release.
 */
interface Advisory {
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}
interface Vulnerability {
  name: string;
  severity: string;
  via: Array<string | Advisory>;
  range: string;
  fixAvailable: boolean | { name: string; version: string; isSemVerMajor: boolean };
}
interface AuditJson {
  vulnerabilities?: Record<string, Vulnerability>;
  metadata?: { vulnerabilities: Record<string, number> };
  message?: string;
  error?: { summary?: string };
}

const res = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report: AuditJson;
try {
  report = JSON.parse(res.stdout || '{}') as AuditJson;
} catch {
  report = { message: res.stdout.slice(0, 300) };
}

if (!report.metadata) {
  const why = report.message ?? report.error?.summary ?? res.stderr.trim().split('\n').pop() ?? 'no report';
  if (process.env.NPM_AUDIT_OFFLINE === 'allow') {
    console.warn(`[audit:deps] WARNING: the audit did not run (${why}); NPM_AUDIT_OFFLINE=allow. Run it where the registry answers before a release.`);
    process.exit(0);
  }
  console.error(`[audit:deps] the audit could not run: ${why}\n[audit:deps] (on a machine known to be offline, set NPM_AUDIT_OFFLINE=allow)`);
  process.exit(1);
}

const counts = report.metadata.vulnerabilities;
const serious = Object.values(report.vulnerabilities ?? {}).filter((v) => v.severity === 'high' || v.severity === 'critical');
console.log(`[audit:deps] production dependencies: ${['critical', 'high', 'moderate', 'low'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ')}`);
for (const v of serious) {
  const advisories = v.via.filter((a): a is Advisory => typeof a === 'object').map((a) => `${a.title ?? '?'} ${a.url ?? ''}`.trim());
  const via = v.via.filter((a): a is string => typeof a === 'string');
  const fix =
    v.fixAvailable === false
      ? 'no fix available yet'
      : v.fixAvailable === true
        ? 'fixed by `npm audit fix`'
        : `fixed by ${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? ' (a major upgrade: read its changelog)' : ''}`;
  console.log(`  ${v.severity.toUpperCase()} ${v.name} ${v.range}: ${advisories.join('; ') || `through ${via.join(', ')}`} — ${fix}`);
}
process.exit(serious.length ? 1 : 0);
