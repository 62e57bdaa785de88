/** Checklist items 19-20: operational monitoring, and the instance defenses that feed it. */
import { daysBetween, fail, notDeclared, pass } from '../helpers';
import { PROFILE_THRESHOLDS, REVIEW_MAX_AGE_DAYS } from '../thresholds';
import type { Rule, RuleResult } from '../types';

export const failedLoginAlerts: Rule = {
  id: 'monitoring-failed-login-alerts',
  checklist_item: 19,
  title: 'Failed-login spikes alert, and credential-stuffing defenses are on',
  severity: 'high',
  rationale: 'A 50x failure rate is credential stuffing. Clerk emits no failed-sign-in webhook, so alerting needs a log pipeline, and lockout, CAPTCHA, enumeration protection and breached-password checks blunt the attack meanwhile.',
  remediation: 'Route sign-in failures to your SIEM with a spike alert; keep user lockout, sign-up CAPTCHA, enumeration protection and HIBP on.',
  verification: ['config', 'live', 'attestation'],
  how_to_verify: 'Declare monitoring.failed_login_alerts with its destination and threshold, and trigger a test alert once.',
  evaluate(settings, context) {
    const limits = PROFILE_THRESHOLDS[context.profile];
    const results: RuleResult[] = [];
    const alerts = settings.monitoring?.failed_login_alerts;
    if (alerts === undefined) results.push(notDeclared(context, ['monitoring', 'failed_login_alerts'], this.how_to_verify));
    else if (alerts.threshold_multiplier > 50) {
      results.push(fail(`failed-login alerts fire only above ${alerts.threshold_multiplier}x the normal rate; a 50x spike must alert`, ['monitoring', 'failed_login_alerts', 'threshold_multiplier']));
    } else results.push(pass(`failed-login spikes above ${alerts.threshold_multiplier}x alert ${alerts.destination}`, ['monitoring', 'failed_login_alerts']));

    const lockout = settings.attack_protection?.user_lockout;
    const lockoutPath = ['attack_protection', 'user_lockout'];
    if (lockout === undefined) results.push(notDeclared(context, lockoutPath, 'Declare attack_protection.user_lockout.'));
    else if (!lockout.enabled) results.push(fail('user lockout is off: passwords can be guessed without limit', [...lockoutPath, 'enabled']));
    else if (lockout.max_attempts !== undefined && lockout.max_attempts > limits.lockout_max_attempts) {
      results.push(fail(`user lockout allows ${lockout.max_attempts} attempts; the ${context.profile} profile allows at most ${limits.lockout_max_attempts}`, [...lockoutPath, 'max_attempts']));
    } else results.push(pass(`user lockout is on${lockout.max_attempts ? ` after ${lockout.max_attempts} attempts` : ''}`, lockoutPath));

    const enumeration = settings.attack_protection?.enumeration_protection?.enabled;
    const enumerationPath = ['attack_protection', 'enumeration_protection', 'enabled'];
    if (enumeration === undefined) results.push(notDeclared(context, enumerationPath, 'Declare attack_protection.enumeration_protection.'));
    else if (!enumeration) results.push(fail('enumeration protection is off: sign-in reveals which accounts exist', enumerationPath));
    else results.push(pass('enumeration protection is on', enumerationPath));

    const signUpMode = settings.sign_up?.mode;
    const captcha = settings.sign_up?.captcha_enabled;
    const captchaPath = ['sign_up', 'captcha_enabled'];
    if (captcha === undefined) results.push(notDeclared(context, captchaPath, 'Declare sign_up.captcha_enabled.'));
    else if (!captcha && signUpMode !== 'restricted') results.push(fail('sign-up CAPTCHA is off while sign-up is open: bots can mass-register', captchaPath));
    else {
      const bypass = settings.sign_up?.captcha_oauth_bypass ?? [];
      const note = captcha && bypass.length > 0 ? ` (sign-ups through ${bypass.join(', ')} skip it: display_config.captcha_oauth_bypass)` : '';
      results.push(pass(captcha ? `sign-up CAPTCHA is on${note}` : 'sign-up is restricted, CAPTCHA not needed', captchaPath));
    }

    const hibp = settings.instance?.hibp;
    const hibpPath = ['instance', 'hibp'];
    if (hibp === undefined) results.push(notDeclared(context, hibpPath, 'Declare instance.hibp.'));
    else if (!hibp) results.push(fail('breached-password (HIBP) checks are off', hibpPath));
    else {
      const onSignIn = settings.password_settings?.enforce_hibp_on_sign_in;
      const where = onSignIn === true ? ', also at sign-in' : onSignIn === false ? ' (not at sign-in: password_settings.enforce_hibp_on_sign_in is off)' : '';
      results.push(pass(`breached-password (HIBP) checks are on${where}`, hibpPath));
    }

    const minLength = settings.password_settings?.min_length;
    if (minLength !== undefined && minLength < limits.password_min_length) {
      results.push(fail(`passwords may be ${minLength} characters; the ${context.profile} profile requires at least ${limits.password_min_length}`, ['password_settings', 'min_length']));
    }
    return results;
  },
};

export const settingsReview: Rule = {
  id: 'monitoring-settings-review',
  checklist_item: 20,
  title: 'Session and instance settings are reviewed for drift at least quarterly',
  severity: 'medium',
  rationale: 'Clerk defaults change over time; old configurations silently become wrong.',
  remediation: 'Run `clerkguard snapshot --commit` every quarter (or `clerkguard schedule`) and record monitoring.settings_review.last_reviewed_at after sign-off.',
  verification: ['config', 'attestation'],
  how_to_verify: 'Commit a quarterly snapshot with `clerkguard snapshot --commit` and sign off its review report.',
  evaluate(settings, context) {
    const review = settings.monitoring?.settings_review;
    const path = ['monitoring', 'settings_review'];
    if (review === undefined) return [notDeclared(context, path, this.how_to_verify)];
    const maxAge = REVIEW_MAX_AGE_DAYS[review.cadence];
    if (review.last_reviewed_at === undefined) {
      return [{ status: 'not_verifiable', message: `a ${review.cadence} review is planned but no review is recorded yet (monitoring.settings_review.last_reviewed_at)`, path }];
    }
    const age = daysBetween(review.last_reviewed_at, context.today);
    if (age > maxAge) return [fail(`the last ${review.cadence} settings review was ${age} days ago (${review.last_reviewed_at})`, [...path, 'last_reviewed_at'])];
    return [pass(`settings reviewed ${age} days ago (${review.last_reviewed_at}), ${review.cadence}`, path)];
  },
};
