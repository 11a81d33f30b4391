/** The platform's own interface messages, Simplified Chinese (the default language). */
const appChineseMessages = {
  app: {
    title: '物业监管与服务平台',
    language: '语言',
    welcome: '您好，%{name}',
    organisation: '所属单位',
    role: '角色',
    scope: '数据范围',
    scope_kind: { city: '全市', district: '本区', street: '本街道', organisation: '本单位', none: '无' },
    change_password: '修改密码',
    current_password: '当前密码',
    new_password: '新密码',
    confirm_password: '确认新密码',
    password_mismatch: '两次输入的新密码不一致',
    password_changed: '密码已修改，其他设备上的登录已退出',
    account_locked: '登录失败次数过多，账号已锁定，请稍后再试',
    invalid_credentials: '用户名或密码错误',
    unlock: '解锁',
    unlocked: '账号已解锁',
    locked: '已锁定',
    permissions: '权限',
  },
  roles: {
    sysadmin: '系统管理员',
    city_staff: '市局工作人员',
    city_leader: '市局领导',
    admin_centre: '行政服务中心',
    district_staff: '区局工作人员',
    street_office: '街道办事处',
    enterprise: '物业服务企业',
    project_manager: '项目经理',
    developer: '建设单位',
    owners_committee: '业主委员会',
    public: '业主/公众',
  },
  org_kinds: {
    city_bureau: '市住建局',
    admin_centre: '行政服务中心',
    district_bureau: '区住建部门',
    street_office: '街道/镇',
    enterprise: '物业服务企业',
    developer: '建设单位',
    owners_committee: '业主委员会',
    public: '公众',
  },
  results: { ok: '成功', denied: '拒绝', failed: '失败' },
  resources: {
    users: {
      name: '用户 |||| 用户',
      fields: {
        id: '编号', username: '用户名', display_name: '姓名', phone: '手机', role: '角色', organisation_id: '所属单位',
        organisation_name: '所属单位', active: '启用', locked_until: '锁定至', last_login_at: '最近登录', created_at: '创建时间',
        password: '初始密码', q: '搜索',
      },
    },
    organisations: {
      name: '机构 |||| 机构',
      fields: {
        id: '编号', code: '统一代码', name: '名称', kind: '类型', district_code: '所在区', street_code: '所在街道',
        phone: '电话', address: '地址', active: '启用', created_at: '创建时间', q: '搜索',
      },
    },
    'operation-logs': {
      name: '操作日志 |||| 操作日志',
      fields: {
        id: '编号', at: '时间', username: '用户', role: '角色', ip: '地址', method: '方法', path: '路径', action: '操作',
        target_type: '对象类型', target_id: '对象编号', result: '结果', status: '状态码', request_id: '请求编号', detail: '详情',
      },
    },
  },
};

export default appChineseMessages;
