/**
 * A case's statuses (cases.status), and which of them mean the case is still open: running,
 * waiting for the applicant's supplement, or stopped at an incident an operator must resolve.
 * One list for the API's filters, the diagram's end marks, 工作台's backlog and the retention
 * sweep that must not erase an account with an open case.
 */
export const CASE_STATUSES = ['running', 'supplement', 'completed', 'withdrawn', 'terminated', 'incident'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const OPEN_CASE_STATUSES = ['running', 'supplement', 'incident'] as const satisfies readonly CaseStatus[];

export const isOpenCaseStatus = (status: unknown): boolean => (OPEN_CASE_STATUSES as readonly unknown[]).includes(status);

/** How a case ended (cases.result), and the lists' filter value for one that has not yet. */
export const CASE_RESULTS = ['approved', 'rejected', 'withdrawn', 'terminated'] as const;
export const CASE_RESULT_FILTER = [...CASE_RESULTS, 'none'] as const;
