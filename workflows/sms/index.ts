// The workflows the SMS worker runs (it bundles this path, not workflows/index.ts). Only
// deterministic code here. The askBySms helper (./ask) is for other workflows and is not a
// workflow itself, so it is not exported here.
export { smsDeliveryWorkflow } from './delivery';
export { smsNoticeWorkflow } from './notice';
