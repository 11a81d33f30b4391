import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every case workflow carries, so that cases can be found in
 * Temporal's own UI and visibility API by type, district, applicant and status. Safe to import
 * from workflow code.
 */
export const CASE_TYPE = defineSearchAttributeKey('CaseType', SearchAttributeType.KEYWORD);
export const CASE_DISTRICT = defineSearchAttributeKey('CaseDistrict', SearchAttributeType.KEYWORD);
export const CASE_APPLICANT = defineSearchAttributeKey('CaseApplicant', SearchAttributeType.KEYWORD);
export const CASE_STATUS = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);

export const CASE_SEARCH_ATTRIBUTES = [CASE_TYPE, CASE_DISTRICT, CASE_APPLICANT, CASE_STATUS];

/** The search attributes a case workflow starts with: one list for the start route and for call activities' child cases. */
export function startingCaseSearchAttributes(c: { processKey: string; districtCode: string | null; organisationId: number }) {
  return [
    { key: CASE_TYPE, value: c.processKey },
    { key: CASE_DISTRICT, value: c.districtCode ?? '' },
    { key: CASE_APPLICANT, value: String(c.organisationId) },
    { key: CASE_STATUS, value: 'running' },
  ];
}
