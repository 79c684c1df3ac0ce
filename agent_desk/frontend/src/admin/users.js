// Users and roles: create, edit (name, role, extension, group), disable/enable, unlock, reset the password.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { ROLE_LABELS, label } from '../lib/labels.js';
import { beijing, choice, field, input, valuesOf } from './forms.js';

const ROLES = Object.entries(ROLE_LABELS);

export class UsersTab {
  constructor(container, me) {
    this.container = container;
    this.me = me;
    this.users = [];
    this.editing = null;
  }

  async show() {
    this.users = await api('/api/users');
    this.render();
  }

  render() {
    const editing = this.users.find((user) => user.id === this.editing);
    replaceChildren(
      this.container,
      h('h2', {}, '新建用户'),
      this.createForm(),
      h('p', { class: 'muted', id: 'extension-hint' }, '分机号须为话务系统已开通的分机（设置项 SONGDA_AGENT_EXTENSIONS，默认 1001–1030）；设置后该用户刷新页面即可使用网页话机接听、监听。'),
      h('h2', { class: 'section-gap' }, `用户（${this.users.length}）`),
      h('table', { class: 'data-table', id: 'users' },
        h('thead', {}, h('tr', {}, ['用户名', '姓名', '角色', '分机', '坐席组', '状态', '最近登录', ''].map((title) => h('th', {}, title)))),
        h('tbody', {}, this.users.map((user) => this.row(user)))),
      editing ? this.editForm(editing) : null,
    );
  }

  row(user) {
    const locked = user.locked_until && new Date(user.locked_until) > new Date();
    const state = !user.is_active ? h('span', { class: 'tag tag-muted' }, '已停用') : locked ? h('span', { class: 'tag tag-danger' }, `已锁定至 ${beijing(user.locked_until)}`) : h('span', { class: 'tag tag-ok' }, '启用');
    return h('tr', { dataset: { username: user.username } },
      h('td', {}, user.username), h('td', {}, user.full_name), h('td', {}, label(ROLE_LABELS, user.role)),
      h('td', {}, user.sip_extension || '—'), h('td', {}, user.agent_group || '—'), h('td', {}, state),
      h('td', {}, beijing(user.last_login_at)),
      h('td', {}, h('button', { class: 'btn btn-small', onclick: () => this.edit(user.id) }, '管理')));
  }

  createForm() {
    const form = h('form', { class: 'staff-form', id: 'user-create' },
      field('用户名', input('username', { required: true, pattern: '[A-Za-z0-9_.\\-]{2,64}', autocomplete: 'off' })),
      field('姓名', input('full_name', { required: true })),
      field('角色', choice('role', ROLES)),
      field('初始密码（至少 8 位）', input('password', { type: 'password', required: true, minlength: 8, autocomplete: 'new-password' })),
      field('分机号（坐席/主管，可空）', input('sip_extension', { pattern: '\\d{3,8}' })),
      field('坐席组（可空）', input('agent_group')),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'user-create-submit' }, '创建用户'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const created = await api('/api/users', { method: 'POST', body: valuesOf(form) });
        toast(`已创建用户 ${created.username}（${label(ROLE_LABELS, created.role)}）`, 'ok');
        form.reset();
        await this.show();
      } catch (error) {
        toast(`创建失败：${error.message}`, 'error');
      }
    });
    return form;
  }

  edit(id) {
    this.editing = id;
    this.render();
    this.container.querySelector('#user-edit')?.scrollIntoView({ block: 'nearest' });
  }

  editForm(user) {
    const self = user.id === this.me.id;
    const form = h('form', { class: 'staff-form', id: 'user-edit' },
      field('姓名', input('full_name', { value: user.full_name, required: true })),
      field('角色', choice('role', ROLES, { disabled: self })),
      field('分机号', input('sip_extension', { value: user.sip_extension || '', pattern: '\\d{3,8}' })),
      field('坐席组', input('agent_group', { value: user.agent_group || '' })),
      h('button', { type: 'submit', class: 'btn btn-primary' }, '保存'));
    form.querySelector('select').value = user.role;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const values = valuesOf(form);
      if (self) delete values.role;
      this.change(user, () => api(`/api/users/${user.id}`, { method: 'PATCH', body: values }), '已保存');
    });
    const password = input('password', { id: 'reset-password', type: 'password', minlength: 8, autocomplete: 'new-password', placeholder: '新密码（至少 8 位）' });
    const locked = user.locked_until && new Date(user.locked_until) > new Date();
    return h('section', { class: 'panel section-gap', id: 'user-manage' },
      h('h2', {}, `管理用户：${user.full_name}（${user.username}）`),
      form,
      h('div', { class: 'button-row' },
        password,
        h('button', { class: 'btn', id: 'reset-password-submit', onclick: () => this.resetPassword(user, password.value) }, '重置密码'),
        h('button', { class: 'btn', id: 'unlock', disabled: !locked, onclick: () => this.change(user, () => api(`/api/users/${user.id}/unlock`, { method: 'POST' }), '已解除锁定') }, '解除锁定'),
        self ? null : h('button', { class: user.is_active ? 'btn btn-danger' : 'btn btn-ok', id: 'toggle-active', onclick: () => this.change(user, () => api(`/api/users/${user.id}`, { method: 'PATCH', body: { is_active: !user.is_active } }), user.is_active ? '已停用（其登录已失效）' : '已启用') }, user.is_active ? '停用' : '启用'),
        h('button', { class: 'btn', onclick: () => this.edit(null) }, '关闭')));
  }

  async resetPassword(user, password) {
    if (password.length < 8) {
      toast('新密码至少 8 位', 'error');
      return;
    }
    await this.change(user, () => api(`/api/users/${user.id}/password`, { method: 'POST', body: { password } }), '密码已重置，该用户需重新登录');
  }

  async change(user, action, done) {
    try {
      await action();
      toast(`${user.username}：${done}`, 'ok');
      await this.show();
    } catch (error) {
      toast(`操作失败：${error.message}`, 'error');
    }
  }
}
