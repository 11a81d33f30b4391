/**
 * form-js has no translations: its few fixed texts (the file picker's button, a select's
 * placeholder, a list's buttons) are English. They are replaced in the form's own DOM as it
 * renders, and on every re-render; labels and messages come from the form and the validator.
 */
export const TEXTS: Record<string, string> = {
  Browse: '选择文件',
  'No files selected': '未选择文件',
  Select: '请选择',
  Search: '搜索',
  'No results': '无匹配项',
  'All values selected': '已全部选择',
  'Add new': '添加',
  Collapse: '收起',
  Expand: '展开',
  'Nothing to show.': '无内容',
};
const FILES_SELECTED = /^(\d+) files selected$/;

/** The form editor's palette and the properties most used, likewise English in form-js. */
export const EDITOR_TEXTS: Record<string, string> = {
  Components: '组件',
  'Search components': '搜索组件',
  Input: '输入',
  Selection: '选择',
  Presentation: '展示',
  Containers: '容器',
  Action: '操作',
  'Text field': '单行文本',
  'Text area': '多行文本',
  Number: '数字',
  'Date time': '日期时间',
  'File picker': '文件上传',
  Checkbox: '复选框',
  'Checkbox group': '多选',
  'Radio group': '单选',
  Select: '下拉选择',
  'Tag list': '标签多选',
  'Text view': '文字说明',
  'HTML view': 'HTML 说明',
  Image: '图片',
  Spacer: '间距',
  Separator: '分隔线',
  Group: '分组',
  'Dynamic list': '动态列表',
  Button: '按钮',
  General: '常规',
  Label: '标签',
  Key: '键',
  Path: '路径',
  'Field description': '字段说明',
  'Default value': '默认值',
  Validation: '校验',
  Required: '必填',
  'Minimum length': '最短长度',
  'Maximum length': '最长长度',
  Minimum: '最小值',
  Maximum: '最大值',
  'Regular expression pattern': '正则表达式',
  Options: '选项',
  'Static options': '固定选项',
  Condition: '条件',
  'Hide if': '隐藏条件',
  'Custom properties': '自定义属性',
  Appearance: '外观',
  Layout: '布局',
  'Read only': '只读',
  Disabled: '禁用',
  Value: '值',
};

function translate(root: HTMLElement, texts: Record<string, string>): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue?.trim() ?? '';
    const zh = texts[text] ?? (FILES_SELECTED.test(text) ? text.replace(FILES_SELECTED, '已选择 $1 个文件') : undefined);
    if (zh && node.nodeValue !== zh) node.nodeValue = zh;
  }
  for (const input of Array.from(root.querySelectorAll<HTMLInputElement>('input[placeholder]'))) {
    const zh = texts[input.placeholder];
    if (zh) input.placeholder = zh;
  }
}

/** Keeps the form's fixed texts Chinese while it is shown; answers the function that stops it. */
export function translateFormTexts(root: HTMLElement, texts: Record<string, string> = TEXTS): () => void {
  const observer = new MutationObserver(() => translate(root, texts));
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  translate(root, texts);
  return () => observer.disconnect();
}
