import { ROLE_WORDS, wordFor, type Locale } from '../words';
import { CASE_STATUS_WORDS } from './words';

/**
 * An incident's message in the reader's words. The engine writes why a case stopped in English
 * (workflows/case: the logs, the API's other clients and recorded histories read the same text),
 * and the operator reads it in the interface's language: each pattern below is one message the
 * engine or an activity writes, with the parts it carries over. A part that is itself a message
 * (a boundary timer's own failure, a service task's error) is put in words again, so nested
 * causes read in Chinese too; a message no pattern knows is shown as written, so a new failure
 * is never hidden (an expression's own FEEL error, a job worker's errorMessage and a service's
 * error text are people's or libraries' words and stay as written). The test beside this file
 * reads every incident the engine and the case activities can throw out of their source and
 * checks each reads in Chinese, so a new one cannot be added without its words.
 */

type Parts = Record<string, string>;
type Render = (p: Parts, again: (message: string) => string) => string;

const roles = (names: string) =>
  names
    .split(' or ')
    .map((r) => wordFor(ROLE_WORDS, r))
    .join('或');
const status = (code: string) => wordFor(CASE_STATUS_WORDS, code);

const PATTERNS: Array<[RegExp, Render]> = [
  [/^no branch of gateway (?<id>\S+) matched and it has no default flow$/, (p) => `网关 ${p.id} 没有条件成立的分支，也没有默认路径`],
  [/^no branch of inclusive gateway (?<id>\S+) matched and it has no default flow$/, (p) => `包容网关 ${p.id} 没有条件成立的分支，也没有默认路径`],
  [/^event-based gateway (?<id>\S+) stopped waiting with no event$/, (p) => `事件网关 ${p.id} 没有等到任何事件就停止了等待`],
  [/^inputCollection of (?<id>\S+) is not a list$/, (p) => `${p.id} 的多实例集合（inputCollection）不是列表`],
  [/^nobody can hold task (?<id>\S+): its assignee and candidate users \((?<names>.*)\) name no active user$/, (p) => `任务 ${p.id} 无人可办：办理人和候选用户（${p.names.split('; ').join('、')}）都不是在用账号`],
  [/^nobody can hold task (?<id>\S+): no active user with the role (?<roles>.+) works in the case's area$/, (p) => `任务 ${p.id} 无人可办：案件所在区域没有角色为“${roles(p.roles)}”的在用账号`],
  [/^the processId of (?<id>\S+) gave no process key$/, (p) => `调用活动 ${p.id} 的被调流程（processId）没有得出流程标识`],
  [/^the called case (?<number>\S+) \((?<key>[^)]*)\) ended (?<status>\S+), not completed$/, (p) => `被调案件 ${p.number}（${p.key}）以“${status(p.status)}”结束，没有办结`],
  [/^the called process (?<key>\S+) has no published version$/, (p) => `被调流程 ${p.key} 没有已发布的版本`],
  [/^the called process (?<key>\S+) is disabled$/, (p) => `被调流程 ${p.key} 已停用`],
  [/^the calling case (?<id>\S+) does not exist$/, (p) => `调用方案件 ${p.id} 不存在`],
  [/^service task type (?<type>\S+) is not registered in this worker build$/, (p) => `服务任务类型 ${p.type} 没有在当前工作进程中注册`],
  [/^message (?<name>.+) for (?<id>\S+) vanished from the mailbox$/, (p) => `${p.id} 等待的消息“${p.name}”已不在信箱中`],
  [/^boundary timer (?<timer>\S+) of (?<id>\S+): (?<rest>.*)$/s, (p, again) => `${p.id} 的边界定时器 ${p.timer}：${again(p.rest)}`],
  [/^the timer of event sub-process (?<id>\S+): (?<rest>.*)$/s, (p, again) => `事件子流程 ${p.id} 的定时器：${again(p.rest)}`],
  [/^(?<kind>input|output) mapping "(?<target>[^"]*)" of (?<id>\S+): (?<rest>.*)$/s, (p, again) => `${p.id} 的${p.kind === 'input' ? '输入' : '输出'}映射“${p.target}”：${again(p.rest)}`],
  [/^token (?<token>\S+) is not inside the sub-process (?<id>\S+)$/, (p) => `令牌 ${p.token} 不在子流程 ${p.id} 内`],
  [/^the graph has no node (?<id>\S+)$/, (p) => `流程图中没有元素 ${p.id}`],
  [/^a return from (?<id>\S+) names no step to return to$/, (p) => `${p.id} 的退回没有指明退回到哪一步`],
  [/^timer date "(?<v>.*)" is not an ISO date$/, (p) => `定时器日期“${p.v}”不是有效的日期`],
  [/^timer "(?<v>.*)" is not a duration$/, (p) => `定时器“${p.v}”不是有效的时长`],
  [/^timer cycle "(?<v>.*)" is not an ISO repeating interval$/, (p) => `定时器周期“${p.v}”不是有效的重复周期`],
  [/^due date of (?<id>\S+) \("(?<v>.*)"\) is neither a date nor a duration$/, (p) => `${p.id} 的办理期限（“${p.v}”）既不是日期也不是时长`],
  [/^the job (?<type>\S+) of (?<name>.+) failed with no retries left: (?<rest>.*)$/s, (p) => `${p.name} 的外部作业 ${p.type} 失败，且已无重试次数：${p.rest}`],
  [/^the task type of (?<name>.+) \((?<type>[^)]*)\) is not a job type: (?<v>.*)$/, (p) => `${p.name} 的任务类型（${p.type}）没有得出有效的作业类型：${p.v}`],
  [/^the BPMN error (?<code>\S+) thrown by (?<id>\S+) was caught by no error boundary event$/, (p) => `${p.id} 抛出的 BPMN 错误 ${p.code} 没有被任何错误边界事件捕获`],
  [/^the decision (?<id>\S+) is not published \(POST \/api\/decisions\)$/, (p) => `决策 ${p.id} 尚未发布`],
  [/^the decision (?<id>\S+) \(version (?<version>\S+)\) failed: (?<rest>.*)$/s, (p) => `决策 ${p.id}（第 ${p.version} 版）执行失败：${p.rest}`],
  // A business rule task's failure: its name, then the decision's own message.
  [/^(?<name>[^:]+): (?<rest>the decision .*)$/s, (p, again) => `${p.name}：${again(p.rest)}`],
  // A service task's activity that failed after its retries, with the activity's own error.
  [/^(?<name>.+) \((?<id>[^)\s]+)\) failed after its retries: (?<rest>.*)$/s, (p, again) => `${p.name}（${p.id}）重试后仍然失败：${again(p.rest)}`],
];

/** How deep nested causes are put in words; deeper text is shown as written. */
const MAX_DEPTH = 4;

function inChinese(message: string, depth: number): string {
  if (depth > MAX_DEPTH) return message;
  for (const [pattern, render] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return render(match.groups ?? {}, (m) => inChinese(m, depth + 1));
  }
  return message;
}

/**
 * The incident message for a reader of `locale`: Chinese from the patterns above, English as
 * the engine wrote it. Null or empty stays as it is.
 */
export function incidentInWords(message: string | null | undefined, locale: Locale = 'zh-CN'): string {
  if (!message) return '';
  return locale === 'zh-CN' ? inChinese(message, 0) : message;
}

/** Whether a message is put in Chinese by a pattern (the test's check that none is left out). */
export function incidentHasWords(message: string): boolean {
  return PATTERNS.some(([pattern]) => pattern.test(message));
}
