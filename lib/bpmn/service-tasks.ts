/**
 * Service and send tasks name their work with `zeebe:taskDefinition type`. This registry maps
 * each type the engine knows to the activity that does it and the task queue that runs it.
 * Publishing rejects a type not listed here, so a process can never name work no worker does.
 *
 * To add one: write the activity (activities/cases/ or your own folder, returning the variables
 * it sets), register it with the worker that serves `taskQueue`, and add a line here.
 * Safe to import from workflow code (data only).
 */
export interface ServiceTaskType {
  /** The activity function's name as the worker registers it. */
  activity: string;
  /** Omit for the approvals queue. */
  taskQueue?: string;
  description: string;
}

export const SERVICE_TASK_TYPES: Record<string, ServiceTaskType> = {
  'case-note': {
    activity: 'serviceCaseNote',
    description: 'Writes the header "note" (FEEL allowed) into the case history; proves the path in tests and demos.',
  },
  'set-variables': {
    activity: 'serviceSetVariables',
    description: 'Sets each task header as a case variable (values may be FEEL).',
  },
  'notify-applicant': {
    activity: 'serviceNotifyApplicant',
    description: 'Sends the header "message" by SMS to the applicant (the user who started the case).',
  },
  // Domain approvals (activities/approvals, docs/approvals.md).
  'approval-notify': { activity: 'approvalNotify', description: 'Texts the header "message" (FEEL) to the people named in "to": applicant, applicantOrganisation, bidders, experts, tenderer.' },
  'approval-publish': { activity: 'approvalPublish', description: 'Publishes a result for the public portal: headers kind, title, body (FEEL), days.' },
  'qualification-checks': { activity: 'approvalQualificationChecks', description: 'Qualification: double registration of staff, required materials, qualification validity.' },
  'qualification-certificate': { activity: 'approvalQualificationCertificate', description: 'Qualification: certificate number (header numberRule) and PDF.' },
  'qualification-register': { activity: 'approvalQualificationRegister', description: 'Qualification: level, certificate and validity (and changed details) into the enterprise registry.' },
  'contract-compare': { activity: 'approvalContractCompare', description: 'Contract filing: 15-day deadline, data compared with the project registry (new and conflicting).' },
  'contract-certificate': { activity: 'approvalContractCertificate', description: 'Contract filing: filing number (header numberRule) and certificate PDF.' },
  'contract-register': { activity: 'approvalContractRegister', description: 'Contract filing: the contract and the verified project data into the registry.' },
  'tender-filing-form': { activity: 'approvalTenderFilingForm', description: 'Tender: filing number (header numberRule) and filing form PDF.' },
  'tender-open': { activity: 'approvalTenderOpen', description: 'Tender: opens bid registration for bidWindow and publishes the announcement.' },
  'tender-screen': { activity: 'approvalTenderScreen', description: 'Tender: closes registration and screens bids (level, capital, location, staff).' },
  'tender-shortlist': { activity: 'approvalTenderShortlist', description: 'Tender: prequalifies eligible bids down to shortlistSize.' },
  'tender-draw-experts': { activity: 'approvalTenderDrawExperts', description: 'Tender: random draw of expertCount experts without conflicts, recorded.' },
  'tender-tally': { activity: 'approvalTenderTally', description: "Tender: averages the experts' scores and names the winner." },
  'tender-negotiated': { activity: 'approvalTenderNegotiated', description: 'Tender: the winner of a negotiated selection (selectedBidNo).' },
  'tender-award': { activity: 'approvalTenderAward', description: 'Tender: the award into the project registry.' },
  'tender-fail': { activity: 'approvalTenderFail', description: 'Tender: closes a tender without eligible bidders as failed.' },
  'tender-refund': { activity: 'approvalTenderRefund', description: 'Tender: refunds every deposit still held and texts the bidders.' },
  'credit-prededuction': { activity: 'approvalCreditPrededuction', description: 'Credit appeal (its first version, started by hand): checks the pending deduction and texts the enterprise.' },
  'credit-publication-draft': { activity: 'approvalCreditPublicationDraft', description: 'Credit publication: the red and black lists and the grade distribution of the rated year.' },
  'credit-publication-publicity': { activity: 'approvalCreditPublicationPublicity', description: 'Credit publication: opens the publicity (header days).' },
  'credit-publication-publish': { activity: 'approvalCreditPublicationPublish', description: 'Credit publication: publishes the year.' },
  'credit-notice': { activity: 'approvalCreditNotice', description: 'Credit notice: checks the pre-deduction, issues the 记分告知单 and texts the enterprise.' },
  'credit-final': { activity: 'approvalCreditFinal', description: 'Credit appeal: the final score (header decision: confirm or restore).' },
  'committee-check': { activity: 'approvalCommitteeCheck', description: 'Committee filing: project or committee, street, members, 30-day filing date.' },
  'committee-register': { activity: 'approvalCommitteeRegister', description: 'Committee filing: filing number (header numberRule) and the committee record.' },
  // Personal data (activities/retention.ts, docs/retention.md).
  'personal-data-check': { activity: 'personalDataCheck', description: 'Deletion request: the requester’s other open cases and what the law requires keeping, for the reviewer.' },
  'personal-data-erase': { activity: 'personalDataErase', description: 'Deletion request: anonymises the requester’s account and SMS history (once per case).' },
};

export function isKnownServiceTaskType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(SERVICE_TASK_TYPES, type);
}
