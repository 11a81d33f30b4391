import { wordFor, type Locale, type Words } from '../words';

/**
 * What an operation in the log did, in words (the log stores codes such as `tasks.decide` or
 * `enterprises.export`: the route's subject and verb). An action named here has its own words;
 * any other is its verb's word and its subject's, so a new route reads sensibly without an entry
 * (the code itself shows only when neither is known).
 */
const ACTIONS: Words = {
  'auth.login': { 'zh-CN': '登录', en: 'Sign in' },
  'auth.logout': { 'zh-CN': '退出登录', en: 'Sign out' },
  'auth.password': { 'zh-CN': '修改密码', en: 'Change password' },
  'auth.second_factor_setup': { 'zh-CN': '准备绑定动态口令', en: 'Prepare the second factor' },
  'auth.second_factor_enrol': { 'zh-CN': '绑定动态口令', en: 'Enrol the second factor' },
  'cases.start': { 'zh-CN': '发起申请', en: 'Start a case' },
  'cases.supply': { 'zh-CN': '补正材料', en: 'Supply materials' },
  'cases.withdraw': { 'zh-CN': '撤回申请', en: 'Withdraw a case' },
  'cases.terminate': { 'zh-CN': '终止办件', en: 'Terminate a case' },
  'cases.message': { 'zh-CN': '发送消息', en: 'Send a message' },
  'cases.correlate': { 'zh-CN': '关联消息', en: 'Correlate a message' },
  'cases.move': { 'zh-CN': '调整环节', en: 'Move a case' },
  'cases.retry': { 'zh-CN': '重试异常', en: 'Retry an incident' },
  'tasks.decide': { 'zh-CN': '办理任务', en: 'Decide a task' },
  'tasks.claim': { 'zh-CN': '签收任务', en: 'Claim a task' },
  'tasks.unclaim': { 'zh-CN': '退回待签', en: 'Give a task back' },
  'tasks.transfer': { 'zh-CN': '转办', en: 'Transfer a task' },
  'tasks.delegate': { 'zh-CN': '委派', en: 'Delegate a task' },
  'tasks.resolve': { 'zh-CN': '交回委派', en: 'Resolve a delegation' },
  'tasks.add-signer': { 'zh-CN': '加签', en: 'Add a signer' },
  'tasks.copy': { 'zh-CN': '抄送', en: 'Copy a case' },
  'tasks.remind': { 'zh-CN': '催办', en: 'Remind' },
  'processes.publish': { 'zh-CN': '发布流程', en: 'Publish a process' },
  'processes.set_current': { 'zh-CN': '切换流程版本', en: 'Set the current version' },
  'processes.settings': { 'zh-CN': '修改流程设置', en: 'Change process settings' },
  'processes.coding_rule': { 'zh-CN': '修改编号规则', en: 'Change the numbering rule' },
  'users.assign_role': { 'zh-CN': '分配角色', en: 'Assign a role' },
  'users.reset_password': { 'zh-CN': '重置密码', en: 'Reset a password' },
  'users.reset_second_factor': { 'zh-CN': '重置动态口令', en: 'Reset a second factor' },
  'users.unlock': { 'zh-CN': '解锁账号', en: 'Unlock an account' },
  'signals.broadcast': { 'zh-CN': '广播信号', en: 'Broadcast a signal' },
  'incidents.batch': { 'zh-CN': '批量处理异常', en: 'Handle incidents in bulk' },
  'decisions.publish': { 'zh-CN': '发布决策表', en: 'Publish a decision table' },
  'files.download': { 'zh-CN': '下载文件', en: 'Download a file' },
  'system.self_check': { 'zh-CN': '系统自检', en: 'System self-check' },
  'tenders.bid': { 'zh-CN': '投标报名', en: 'Register a bid' },
  'tenders.score': { 'zh-CN': '评标打分', en: 'Score a bid' },
  'jobs.activate': { 'zh-CN': '领取作业', en: 'Activate jobs' },
  'jobs.complete': { 'zh-CN': '完成作业', en: 'Complete a job' },
  'jobs.fail': { 'zh-CN': '作业失败', en: 'Fail a job' },
  'jobs.error': { 'zh-CN': '作业报错', en: 'Throw a job error' },
};

const VERBS: Words = {
  get: { 'zh-CN': '查看', en: 'View' },
  list: { 'zh-CN': '查询', en: 'List' },
  post: { 'zh-CN': '提交', en: 'Submit' },
  put: { 'zh-CN': '修改', en: 'Change' },
  patch: { 'zh-CN': '修改', en: 'Change' },
  delete: { 'zh-CN': '删除', en: 'Delete' },
  create: { 'zh-CN': '新增', en: 'Create' },
  update: { 'zh-CN': '修改', en: 'Update' },
  export: { 'zh-CN': '导出', en: 'Export' },
  import: { 'zh-CN': '导入', en: 'Import' },
  review: { 'zh-CN': '审核', en: 'Review' },
  unmask: { 'zh-CN': '查看明文', en: 'Unmask' },
  category_create: { 'zh-CN': '新增类别', en: 'Create a category' },
  category_update: { 'zh-CN': '修改类别', en: 'Update a category' },
  notice_create: { 'zh-CN': '新建通知', en: 'Create a notice' },
  notice_cancel: { 'zh-CN': '取消通知', en: 'Cancel a notice' },
  subscriptions_update: { 'zh-CN': '修改订阅', en: 'Update subscriptions' },
};

/** The subjects of routes (the first part of an action) and the kinds of target. */
const SUBJECTS: Words = {
  auth: { 'zh-CN': '账号', en: 'account' },
  cases: { 'zh-CN': '办件', en: 'cases' },
  inbox: { 'zh-CN': '待办', en: 'inbox' },
  tasks: { 'zh-CN': '任务', en: 'tasks' },
  processes: { 'zh-CN': '流程', en: 'processes' },
  users: { 'zh-CN': '用户', en: 'users' },
  organisations: { 'zh-CN': '单位', en: 'organisations' },
  'operation-log': { 'zh-CN': '操作日志', en: 'operation log' },
  'operation-logs': { 'zh-CN': '操作日志', en: 'operation log' },
  sms: { 'zh-CN': '短信', en: 'SMS' },
  incidents: { 'zh-CN': '异常', en: 'incidents' },
  jobs: { 'zh-CN': '作业', en: 'jobs' },
  files: { 'zh-CN': '文件', en: 'files' },
  system: { 'zh-CN': '系统', en: 'system' },
  regions: { 'zh-CN': '行政区划', en: 'regions' },
  decisions: { 'zh-CN': '决策表', en: 'decision tables' },
  tenders: { 'zh-CN': '招投标', en: 'tenders' },
  registries: { 'zh-CN': '基础数据', en: 'registries' },
  'registry-changes': { 'zh-CN': '变更记录', en: 'change history' },
  'staff-duplicates': { 'zh-CN': '重复人员', en: 'duplicate staff' },
  enterprises: { 'zh-CN': '企业', en: 'enterprises' },
  projects: { 'zh-CN': '物业项目', en: 'projects' },
  committees: { 'zh-CN': '业主委员会', en: 'owners’ committees' },
  staff: { 'zh-CN': '从业人员', en: 'staff' },
  trainings: { 'zh-CN': '培训考核', en: 'trainings' },
  'credit-events': { 'zh-CN': '信用记录', en: 'credit records' },
  public: { 'zh-CN': '公开查询', en: 'public lookup' },
};

const TARGETS: Words = {
  case: { 'zh-CN': '办件', en: 'Case' },
  task: { 'zh-CN': '任务', en: 'Task' },
  user: { 'zh-CN': '用户', en: 'User' },
  process: { 'zh-CN': '流程', en: 'Process' },
  organisation: { 'zh-CN': '单位', en: 'Organisation' },
  job: { 'zh-CN': '作业', en: 'Job' },
  file: { 'zh-CN': '文件', en: 'File' },
  signal: { 'zh-CN': '信号', en: 'Signal' },
  decision: { 'zh-CN': '决策表', en: 'Decision table' },
  sms_notice: { 'zh-CN': '短信通知', en: 'SMS notice' },
  sms_category: { 'zh-CN': '短信类别', en: 'SMS category' },
  tender_bid: { 'zh-CN': '投标', en: 'Bid' },
  enterprise: { 'zh-CN': '企业', en: 'Enterprise' },
  project: { 'zh-CN': '物业项目', en: 'Project' },
  committee: { 'zh-CN': '业主委员会', en: 'Owners’ committee' },
  staff: { 'zh-CN': '从业人员', en: 'Staff member' },
  training: { 'zh-CN': '培训考核', en: 'Training' },
  credit_event: { 'zh-CN': '信用记录', en: 'Credit record' },
};

export function actionWords(action: string, locale: Locale = 'zh-CN'): string {
  const own = ACTIONS[action];
  if (own) return own[locale];
  const dot = action.lastIndexOf('.');
  if (dot < 0) return action;
  const subject = SUBJECTS[action.slice(0, dot)]?.[locale];
  const verb = VERBS[action.slice(dot + 1)]?.[locale];
  if (!subject || !verb) return action;
  return locale === 'en' ? `${verb} ${subject}` : `${verb}${subject}`;
}

/**
 * The target of an operation: its kind in words and its name when the caller knows it (a case's
 * number, a user's name), else its id.
 */
export function targetWords(type: string | null, id: string | null, name?: string | null, locale: Locale = 'zh-CN'): string {
  if (!type) return name ?? id ?? '';
  const kind = wordFor(TARGETS, type, locale);
  const which = name ?? id;
  return which ? `${kind} ${which}` : kind;
}
