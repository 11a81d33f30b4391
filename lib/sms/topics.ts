/**
 * Reply topics' pure rules (M4), shared by the SMS worker (which sends the question and parses
 * replies) and anything that shows or tests them: how a question is written with its answer
 * keys, and which option a reply names. No I/O, so the API can import it without the worker.
 */
export type TopicOptions = Record<string, string>;

export function topicText(question: string, options: TopicOptions): string {
  const choices = Object.entries(options)
    .map(([key, label]) => `回复${key}${label}`)
    .join('，');
  return `${question}（${choices}）`;
}

/** The option a reply names: "1", "１", " 1。", "同意" (a label) all count; anything else is null. */
export function parseReply(text: string, options: TopicOptions): string | null {
  const halfWidth = text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const cleaned = halfWidth.trim().replace(/^[\s"'“”‘’【[(（]+|[\s.,!?。，！？、;；:：'"“”’】\])）]+$/g, '');
  const first = cleaned.split(/[\s,，.。:：、]+/)[0] ?? '';
  const byKey = Object.keys(options).find((k) => k.toLowerCase() === first.toLowerCase());
  if (byKey) return byKey;
  const byLabel = Object.entries(options).find(([, label]) => label === cleaned);
  return byLabel ? byLabel[0] : null;
}
