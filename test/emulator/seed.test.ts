/** Seeding and dashboard-style edits of the emulator state (src/emulator/state.ts). */
import { describe, expect, test } from 'vitest';
import { applySettings, defaultState } from '../../src/emulator/state';

describe('applySettings', () => {
  test('seeds many templates, roles and permissions once each, by name and key', () => {
    const state = defaultState('production');
    const jwt_templates = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`t-${i}`, { claims: { aud: `a-${i}` }, lifetime: 60 + i }]));
    const permissions = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`org:p${i}:manage`, { name: `P${i}` }]));
    const roles = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`org:r${i}`, { name: `R${i}`, permissions: [`org:p${i}:manage`, `org:undeclared${i % 7}:read`] }]));
    applySettings(state, { jwt_templates, organizations: { permissions, roles, settings: { creator_role: 'org:r5', domains_default_role: 'org:new-role' } } });

    expect(state.jwt_templates.map((template) => template.name)).toEqual(Object.keys(jwt_templates));
    expect(new Set(state.jwt_templates.map((template) => template.id)).size).toBe(3000);
    expect(state.jwt_templates[2999]).toMatchObject({ name: 't-2999', lifetime: 3059, claims: { aud: 'a-2999' }, allowed_clock_skew: 5, signing_algorithm: 'RS256' });
    // 6 system permissions, 300 declared, 7 created for roles that reference undeclared keys.
    expect(state.permissions.length).toBe(6 + 300 + 7);
    expect(new Set(state.permissions.map((permission) => permission.key)).size).toBe(state.permissions.length);
    const byId = new Map(state.permissions.map((permission) => [permission.id, permission.key]));
    const r12 = state.roles.find((role) => role.key === 'org:r12')!;
    expect(r12.permission_ids.map((id) => byId.get(id))).toEqual(['org:p12:manage', 'org:undeclared5:read']);
    // admin, member, 300 declared, and the default role the settings name but do not declare.
    expect(state.roles.map((role) => role.key).slice(-2)).toEqual(['org:r299', 'org:new-role']);
    expect(state.roles.length).toBe(2 + 300 + 1);
    expect(state.organization_settings.creator_role_id).toBe(state.roles.find((role) => role.key === 'org:r5')!.id);
    expect(state.organization_settings.domains_default_role_id).toBe(state.roles.at(-1)!.id);
  });

  test('a second edit updates entries in place, keeping their ids', () => {
    const state = defaultState('development');
    applySettings(state, { jwt_templates: { a: { claims: {}, lifetime: 60 }, b: { claims: {}, lifetime: 60 } }, organizations: { roles: { 'org:admin': { name: 'Boss', permissions: ['org:sys_profile:manage'] } } } });
    const ids = state.jwt_templates.map((template) => template.id);
    const adminId = state.roles.find((role) => role.key === 'org:admin')!.id;
    applySettings(state, { jwt_templates: { b: { claims: { aud: 'x' }, lifetime: 120 } }, organizations: { roles: { 'org:admin': { name: 'Admin again', permissions: [] } } } });
    expect(state.jwt_templates.map((template) => template.id)).toEqual(ids);
    expect(state.jwt_templates[1]).toMatchObject({ name: 'b', lifetime: 120, claims: { aud: 'x' } });
    expect(state.roles.filter((role) => role.key === 'org:admin')).toEqual([expect.objectContaining({ id: adminId, name: 'Admin again', permission_ids: [] })]);
  });
});
