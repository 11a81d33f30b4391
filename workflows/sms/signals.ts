import { defineSignal } from '@temporalio/workflow';

/**
 * The signal the SMS worker sends to the workflow that opened a reply topic, once per reply.
 * Shared by the worker (sender) and workflow code (receiver); safe in the workflow sandbox.
 */
export interface SmsReply {
  /** Unique per reply: a workflow that sees the same id twice has seen a redelivery. */
  replyId: number;
  topicId: number;
  topicKey: string;
  phone: string;
  /** The option key the text names, or null when it names none ("好的，谢谢"). */
  option: string | null;
  text: string;
  receivedAt: string;
}

export const SMS_REPLY_SIGNAL = 'smsReply';
export const smsReplySignal = defineSignal<[SmsReply]>(SMS_REPLY_SIGNAL);
