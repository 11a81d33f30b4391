import { useEffect, useState } from 'react';
import { apiFetch, type ApiErrorBody } from '../api';
import { beijingTime } from '../beijing-time';

/**
 * The credit screens' side of the API (api/routes/credit.ts), the shapes it answers and a few
 * helpers. Shapes that travel as they are (no dates) are the server's own types; the others are
 * written here as JSON carries them.
 */
export type { StandardItemRow as StandardItem } from '../../../db/credit/standards';
export type { ScoringModel } from '../../../lib/credit/standard';
export type { RankingRow } from '../../../db/credit/scores';
export type { ListMember } from '../../../db/credit/lists';
import type { CreditScore as Score } from '../../../lib/credit/score';
import type { StandardItemRow } from '../../../db/credit/standards';
import type { ScoringModel } from '../../../lib/credit/standard';
import type { RankingRow } from '../../../db/credit/scores';

/** An enterprise's score as GET /api/credit/scores/enterprise/:id answers it. */
export type CreditScore = Score & { standardId: number | null };

export type Kind = 'good' | 'bad';
export type Subject = 'enterprise' | 'manager' | 'project';

export interface StandardSummary {
  id: number;
  version: number | null;
  name: string;
  status: 'draft' | 'published';
  effectiveFrom: string | null;
  createdAt: string;
  publishedAt: string | null;
  items: number;
}

export interface Standard extends Omit<StandardSummary, 'items'> {
  model: ScoringModel;
  items: StandardItemRow[];
}

export interface RecordResult {
  id: number;
  created: boolean;
  status: 'pending' | 'final' | 'cancelled';
  districtCode: string;
  points: number;
  validUntil: string | null;
  notice: { caseId: number; number: string } | null;
}

export interface Rankings {
  year: number;
  districtCode: string | null;
  grades: Record<string, number>;
  rows: RankingRow[];
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await apiFetch(path, init)).json()) as T;
}

/** Today in Beijing, `YYYY-MM-DD` (the day records, standards and scores are dated by). */
export function beijingToday(): string {
  return beijingTime(new Date()).slice(0, 10);
}

/**
 * The entry form's own id (the API's `sourceRef`): 32 hex digits, new for every form, so the
 * same form sent twice (a double click, a retry) records once. getRandomValues, not
 * randomUUID: the latter exists only on https pages, and an intranet may serve plain http.
 */
export function newSourceRef(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The version in force today: the published one with the latest effective date not after today. */
export function standardInForce(standards: StandardSummary[], today = beijingToday()): StandardSummary | null {
  return standards.filter((s) => s.status === 'published' && s.effectiveFrom !== null && s.effectiveFrom <= today).sort((a, b) => (a.effectiveFrom! < b.effectiveFrom! ? 1 : a.effectiveFrom! > b.effectiveFrom! ? -1 : 0))[0] ?? null;
}

/** Points as people read them: 3, 1.5 (no trailing zeros). */
export const points = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : String(Math.round(n * 100) / 100));

export const pointsRange = (item: Pick<StandardItemRow, 'pointsMin' | 'pointsMax'>): string => (item.pointsMin === item.pointsMax ? points(item.pointsMin) : `${points(item.pointsMin)}–${points(item.pointsMax)}`);

let districts: Promise<Map<string, string>> | null = null;

/** The city's districts by code (GET /api/regions?level=district), read once per page load. */
export function useDistricts(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    districts ??= getJson<Array<{ code: string; name: string }>>('/api/regions?level=district')
      .then((rows) => new Map(rows.map((r) => [r.code, r.name])))
      .catch(() => {
        districts = null;
        return new Map<string, string>();
      });
    void districts.then((m) => live && setNames(m));
    return () => {
      live = false;
    };
  }, []);
  return names;
}

/** A server's field problem: the field without `body.` and its first segment (`evidence.0.name` → evidence). */
export function fieldProblems(error: unknown): Array<{ field: string; reason: string }> {
  const details = (error as { body?: ApiErrorBody }).body?.error?.details ?? [];
  return details.map((d) => ({ field: d.field.replace(/^body\./, '').split('.')[0]!, reason: d.reason }));
}

/**
 * The intake's reasons (db/credit/records.ts, in English) as a key of the `credit.reasons`
 * catalogue and its values; a reason not known here is shown as written.
 */
const REASONS: Array<[RegExp, string, (m: RegExpExecArray) => Record<string, string>]> = [
  [/scores between ([\d.]+) and ([\d.]+)/, 'points_between', (m) => ({ min: m[1]!, max: m[2]! })],
  [/^item \S+ scores ([\d.]+)$/, 'points_fixed', (m) => ({ points: m[1]! })],
  [/needs evidence/, 'evidence_required', () => ({})],
  [/is not managed by this enterprise/, 'project_not_managed', () => ({})],
  [/is not a person of this enterprise/, 'staff_not_of_enterprise', () => ({})],
  [/is not recorded against an? (enterprise|manager|project)/, 'subject_not_allowed', (m) => ({ subject: m[1]! })],
  [/no credit standard is in force on (\S+)/, 'no_standard', (m) => ({ day: m[1]! })],
  [/has no item/, 'no_item', () => ({})],
  [/^does not exist$/, 'missing', () => ({})],
  [/^Required$|expected .*received undefined/i, 'required', () => ({})],
  [/must be ([\d-]{10}) or later/, 'publish_from', (m) => ({ day: m[1]! })],
  [/must be after ([\d-]{10})/, 'publish_after', (m) => ({ day: m[1]! })],
  [/^published$/, 'already_published', () => ({})],
];

export function reasonInWords(reason: string, translate: (key: string, options?: Record<string, unknown>) => string): string {
  for (const [pattern, key, values] of REASONS) {
    const m = pattern.exec(reason);
    if (m) {
      const v = values(m);
      if (v.subject) v.subject = translate(`credit.subjects.${v.subject}`);
      return translate(`credit.reasons.${key}`, v);
    }
  }
  return reason;
}

/** An error's message for an alert: the offline key translated, a refusal in words where known. */
export function errorInWords(error: unknown, translate: (key: string, options?: Record<string, unknown>) => string, forbidden = 'credit.reasons.forbidden'): string {
  const e = error as { message?: string; status?: number };
  if (e.status === 403) return translate(forbidden);
  if (e.status === 404) return translate('credit.reasons.not_found');
  const message = e.message ?? String(error);
  return translate(message, { _: message });
}
