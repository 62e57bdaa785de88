/**
 * Item 6: Clerk has no instance setting that revokes sessions on security events; it revokes per
 * request. So the baseline's `session.revoke_on` is a policy the application enforces:
 *   password_change  every password update or removal passes `signOutOfOtherSessions: true`
 *                    (BAPI users.updateUser / users.removePassword, clerk-js user.updatePassword);
 *                    clerk-js user.removePassword cannot, so it needs a server-side revocation
 *   email_change,    a handler revokes the user's other sessions (sessions.revokeSession, usually
 *   mfa_enrollment   with getSessionList) — a verified user.updated webhook, or the code path
 *                    that changes the email / enrolls the second factor
 * None found for an event in the policy = fail, saying what was looked for.
 */
import type * as TS from 'typescript';
import type { RevokeOnEvent } from '../../settings/model';
import { chainOf, enclosingFunction, propertyName, ts, unwrap } from '../ast';
import { at, atRoot, observation, type DetectorContext } from '../context';
import type { SourceFile } from '../source';

const EMAIL_CHANGE = /createEmailAddress|primaryEmailAddressI[dD]|setPrimaryEmail|emailAddresses?\.(create|update)|updateEmailAddress|prepareEmailAddressVerification|attemptEmailAddressVerification/;
const MFA_ENROLLMENT = /createTOTP|verifyTOTP|createBackupCode|createPasskey|registerPasskey|reserveForSecondFactor|totpEnabled|backupCodeEnabled|twoFactorEnabled|enableTOTP|verifyTotp/;

export function detectRevocation(context: DetectorContext): void {
  const { report, policy } = context;
  const covered = new Map<RevokeOnEvent, { file: SourceFile; node: TS.Node; how: string }>();
  let passwordPaths = 0;
  let passwordFails = 0;
  for (const file of context.project.files) {
    for (const call of file.calls) {
      const chain = chainOf(call.expression);
      if (!chain) continue;
      const last = chain[chain.length - 1] as string;
      const onUsers = chain.includes('users');
      // BAPI: users.updateUser(id, { password, signOutOfOtherSessions }) / users.removePassword(id, { … })
      if (onUsers && (last === 'updateUser' || last === 'removePassword')) {
        const params = objectArgument(call.arguments[1]);
        if (last === 'updateUser' && !(params && hasProperty(params, 'password'))) continue;
        passwordPaths++;
        if (params && flagTrue(params)) report(observation('session-revoke-on-security-events', 'password-change-revokes', 'pass', 'high', `users.${last} signs the user out of other sessions (signOutOfOtherSessions: true)`, at(file, call)));
        else {
          passwordFails++;
          report(observation('session-revoke-on-security-events', 'password-change-keeps-sessions', 'fail', 'high', `users.${last} changes the password without signOutOfOtherSessions: true, so sessions on other devices stay active`, at(file, call)));
        }
      } else if (!onUsers && last === 'updatePassword') {
        // clerk-js: user.updatePassword({ newPassword, currentPassword, signOutOfOtherSessions })
        passwordPaths++;
        const params = objectArgument(call.arguments[0]);
        if (params && flagTrue(params)) report(observation('session-revoke-on-security-events', 'password-change-revokes', 'pass', 'high', 'user.updatePassword signs the user out of other sessions (signOutOfOtherSessions: true)', at(file, call)));
        else {
          passwordFails++;
          report(observation('session-revoke-on-security-events', 'password-change-keeps-sessions', 'fail', 'high', 'user.updatePassword is called without signOutOfOtherSessions: true, so sessions on other devices stay active', at(file, call)));
        }
      } else if (!onUsers && last === 'removePassword' && call.arguments.length <= 1) {
        passwordPaths++;
        passwordFails++;
        report(observation('session-revoke-on-security-events', 'password-change-keeps-sessions', 'fail', 'medium', 'clerk-js user.removePassword cannot sign out other sessions; remove the password server-side with users.removePassword(id, { signOutOfOtherSessions: true })', at(file, call)));
      } else if (last === 'revokeSession' || last === 'revokeAllSessions' || (last === 'revoke' && chain.includes('sessions'))) {
        const fn = enclosingFunction(call);
        const scope = fn ?? file.sf;
        const text = scope.getText();
        const how = `${chain.join('.')} in ${file.display}`;
        // A user.updated webhook fires on password, email and second-factor changes alike.
        if (/['"`]user\.updated['"`]/.test(text) || /['"`]user\.updated['"`]/.test(file.text)) {
          for (const event of ['password_change', 'email_change', 'mfa_enrollment'] as const) if (!covered.has(event)) covered.set(event, { file, node: call, how: `${how} on user.updated` });
        }
        if (EMAIL_CHANGE.test(text) && !covered.has('email_change')) covered.set('email_change', { file, node: call, how: `${how} after an email change` });
        if (MFA_ENROLLMENT.test(text) && !covered.has('mfa_enrollment')) covered.set('mfa_enrollment', { file, node: call, how: `${how} after a second-factor enrollment` });
        if (/updatePassword|removePassword|password/i.test(text) && !covered.has('password_change')) covered.set('password_change', { file, node: call, how: `${how} after a password change` });
      }
    }
  }
  for (const event of policy.revokeOn) {
    const hit = covered.get(event);
    if (event === 'password_change') {
      if (passwordPaths > 0 && passwordFails === 0) continue; // each path already passed
      if (passwordFails > 0) continue; // each failing path already reported
      if (hit) report(observation('session-revoke-on-security-events', 'password-change-revokes', 'pass', 'medium', `other sessions are revoked after a password change (${hit.how})`, at(hit.file, hit.node)));
      else report(observation('session-revoke-on-security-events', 'revocation-missing', 'fail', 'medium', 'no code path revokes other sessions after a password change: looked for users.updateUser({ password }) / users.removePassword / user.updatePassword with signOutOfOtherSessions: true, and a user.updated handler calling sessions.revokeSession; a password changed in Clerk\'s <UserProfile/> keeps other sessions unless the user ticks "sign out of all other devices"', atRoot()));
      continue;
    }
    const label = event === 'email_change' ? 'an email change' : 'a second-factor enrollment';
    if (hit) report(observation('session-revoke-on-security-events', 'revocation-handler', 'pass', 'medium', `other sessions are revoked after ${label} (${hit.how})`, at(hit.file, hit.node)));
    else {
      report(
        observation(
          'session-revoke-on-security-events',
          'revocation-missing',
          'fail',
          'medium',
          `nothing revokes other sessions after ${label}: looked for sessions.revokeSession (with getSessionList) in a user.updated webhook handler or in the code that ${event === 'email_change' ? 'changes the primary email' : 'enrolls TOTP, backup codes or passkeys'}`,
          atRoot(),
        ),
      );
    }
  }
}

function objectArgument(argument: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const t = ts();
  if (!argument) return undefined;
  const expr = unwrap(argument);
  return t.isObjectLiteralExpression(expr) ? expr : undefined;
}

function hasProperty(object: TS.ObjectLiteralExpression, name: string): boolean {
  const t = ts();
  return object.properties.some((property) => (t.isPropertyAssignment(property) || t.isShorthandPropertyAssignment(property)) && propertyName(property.name) === name);
}

function flagTrue(object: TS.ObjectLiteralExpression): boolean {
  const t = ts();
  let value = false;
  for (const property of object.properties) {
    const name = property.name ? propertyName(property.name) : undefined;
    if (name !== 'signOutOfOtherSessions' && name !== 'sign_out_of_other_sessions') continue;
    if (t.isPropertyAssignment(property)) value = property.initializer.kind === t.SyntaxKind.TrueKeyword;
  }
  return value;
}
