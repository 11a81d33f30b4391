import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of every Client, Worker and workflow bundle (lib/temporal/codec.ts): the
 * SDK's default, but with failure messages and stack traces moved into an encoded payload, which
 * the encrypting codec then encrypts. Without it they stay in clear in histories, and they can
 * carry personal data (a database error quoting a duplicate ID number, a validator naming a
 * value). Readers with the codec see the original message. Loaded by path (the workflow sandbox
 * needs it too), so this module must stay safe to bundle into workflow code.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
