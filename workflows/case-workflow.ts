import { setHandler } from '@temporalio/workflow';
import { caseStateQuery, decideUpdate, deliverMessageUpdate, deliverSignalSignal, modifyCaseUpdate, reportJobUpdate, taskCommandUpdate, terminateUpdate, withdrawUpdate, type CaseSnapshot, type CaseWorkflowInput } from './case/contract';
import { CaseEngine } from './case/engine';

/**
 * One case of any process: interprets the compiled BPMN graph it was started with (pinned),
 * writing tasks and history to MySQL through activities and waiting for decisions sent as
 * workflow updates. See docs/process-engine.md.
 */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseSnapshot> {
  const engine = new CaseEngine(input);
  setHandler(caseStateQuery, () => engine.snapshot());
  setHandler(decideUpdate, (d) => engine.decide(d), { validator: (d) => engine.validateDecision(d) });
  // Validators do not run when a history is replayed, so the recipient rule added to this one
  // changes no recorded case (the handler re-checks state only, as before).
  setHandler(taskCommandUpdate, (c) => engine.command(c), {
    validator: (c) => {
      engine.validateCommand(c);
      engine.validateRecipients(c);
    },
  });
  setHandler(withdrawUpdate, (r) => engine.withdraw(r.actor, r.comment), { validator: (_r) => engine.validateWithdraw() });
  setHandler(terminateUpdate, (r) => engine.terminate(r.actor, r.comment), { validator: (_r) => engine.mustBeOpen(true) });
  setHandler(modifyCaseUpdate, (m) => engine.modify(m), { validator: (m) => engine.validateModification(m) });
  setHandler(deliverMessageUpdate, (m) => engine.deliverMessage(m), { validator: (_m) => engine.mustBeOpen() });
  setHandler(reportJobUpdate, (r) => engine.reportJob(r), { validator: (r) => engine.validateJobReport(r) });
  setHandler(deliverSignalSignal, (s) => engine.deliverSignal(s));
  return engine.run();
}
