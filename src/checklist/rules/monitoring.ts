/** Checklist items 19-20: operational monitoring, and the instance defenses that feed it. */
import type { JsonPath } from '../../settings/paths';
import { checkAttestation, daysBetween, fail, notDeclared, pass } from '../helpers';
import { PROFILE_THRESHOLDS, REVIEW_MAX_AGE_DAYS } from '../thresholds';
import type { Rule, RuleResult, SnapshotReviewEvidence } from '../types';

export const failedLoginAlerts: Rule = {
  id: 'monitoring-failed-login-alerts',
  checklist_item: 19,
  title: 'Failed-login spikes alert, and credential-stuffing defenses are on',
  severity: 'high',
  rationale: 'A 50x failure rate is credential stuffing. Clerk emits no failed-sign-in webhook, so alerting needs a log pipeline, and lockout, CAPTCHA, enumeration protection and breached-password checks blunt the attack meanwhile.',
  remediation: 'Route sign-in failures to your SIEM with a spike alert; keep user lockout, sign-up CAPTCHA, enumeration protection and HIBP on.',
  verification: ['config', 'live', 'attestation'],
  how_to_verify:
    'Declare monitoring.failed_login_alerts with its destination and threshold, trigger a test alert, and record that it arrived in monitoring.failed_login_alerts.test_alert (attested_by, attested_at, evidence: the alert or ticket).',
  evaluate(settings, context) {
    const limits = PROFILE_THRESHOLDS[context.profile];
    const results: RuleResult[] = [];
    const alerts = settings.monitoring?.failed_login_alerts;
    const alertsPath = ['monitoring', 'failed_login_alerts'];
    if (alerts === undefined) results.push(notDeclared(context, alertsPath, this.how_to_verify));
    else if (alerts.threshold_multiplier > 50) {
      results.push(fail(`failed-login alerts fire only above ${alerts.threshold_multiplier}x the normal rate; a 50x spike must alert`, [...alertsPath, 'threshold_multiplier']));
    } else {
      const declared = `failed-login spikes above ${alerts.threshold_multiplier}x alert ${alerts.destination}`;
      if (alerts.test_alert) {
        // A declared pipeline is intent; a test alert that arrived shows it works.
        const tested = checkAttestation(alerts.test_alert, [...alertsPath, 'test_alert'], context, `a test alert reached ${alerts.destination}`, this.how_to_verify);
        results.push(tested.status === 'pass' ? { ...tested, message: `${declared}; ${tested.message}` } : tested);
      } else {
        results.push(pass(`${declared} (no test alert is recorded at settings.monitoring.failed_login_alerts.test_alert)`, alertsPath));
      }
    }

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
  remediation:
    'Run `clerkguard snapshot --commit` every quarter (or `clerkguard schedule`), have a reviewer fill in the review report\'s sign-off block and commit it; or record monitoring.settings_review.last_review after each review.',
  verification: ['config', 'attestation'],
  how_to_verify:
    'Commit a quarterly snapshot (`clerkguard snapshot --commit`), fill in its review report\'s sign-off block (reviewer, date, decision) and commit that: the next snapshot\'s review counts it. Or record monitoring.settings_review.last_review (attested_by, attested_at, evidence).',
  evaluate(settings, context) {
    const review = settings.monitoring?.settings_review;
    const path = ['monitoring', 'settings_review'];
    const cadence = review?.cadence ?? 'quarterly';
    const maxAge = REVIEW_MAX_AGE_DAYS[cadence];
    const snapshot = context.mode === 'live' ? context.settingsReview : undefined;
    const attested = review?.last_review;
    // Two records of a review (a signed snapshot report, an attestation): the later one counts.
    const signedLater = snapshot?.kind === 'signed' && snapshot.date > context.today;
    if (snapshot?.kind === 'signed' && (attested === undefined || (!signedLater && snapshot.date >= attested.attested_at))) {
      return [signedSnapshotReview(snapshot, cadence, maxAge, context.today, path)];
    }
    const unusable =
      snapshot?.kind === 'unusable'
        ? `; the snapshot review is no evidence: ${snapshot.reason}`
        : signedLater
          ? `; the ${snapshot.quarter} snapshot review was signed off after this review's capture date (${context.today})`
          : '';
    if (attested) {
      const result = checkAttestation(attested, [...path, 'last_review'], context, `the ${cadence} settings review`, this.how_to_verify, maxAge);
      return [{ ...result, message: `${result.message}${unusable}` }];
    }
    if (review === undefined) {
      if (!snapshot) return [notDeclared(context, path, this.how_to_verify)];
      return [{ status: 'not_verifiable', message: `no settings review is recorded (settings.monitoring.settings_review is not declared)${unusable}. ${this.how_to_verify}`, path }];
    }
    if (review.last_reviewed_at === undefined) {
      return [{ status: 'not_verifiable', message: `a ${review.cadence} review is planned but no review is recorded yet (monitoring.settings_review.last_review)${unusable}`, path }];
    }
    const age = daysBetween(review.last_reviewed_at, context.today);
    if (age < 0) return [fail(`monitoring.settings_review.last_reviewed_at ${review.last_reviewed_at} is in the future`, [...path, 'last_reviewed_at'])];
    if (age > maxAge) return [fail(`the last ${review.cadence} settings review was ${age} days ago (${review.last_reviewed_at})`, [...path, 'last_reviewed_at'])];
    return [pass(`settings reviewed ${age} days ago (${review.last_reviewed_at}), ${review.cadence}${unusable}`, path)];
  },
};

/**
 * A review report of an earlier snapshot, signed off and committed (src/snapshot/review-evidence.ts
 * checked both): it counts for the cadence's maximum age after the sign-off date. `today` is the
 * review's own as-of date (its capture), so a sign-off dated later did not exist yet for it.
 */
function signedSnapshotReview(review: Extract<SnapshotReviewEvidence, { kind: 'signed' }>, cadence: 'monthly' | 'quarterly', maxAge: number, today: string, path: JsonPath): RuleResult {
  const record = `the ${review.quarter} review (${review.file}, commit ${review.commit})`;
  const signed = `signed off by ${review.reviewer} on ${review.date}`;
  if (review.date > today) {
    return { status: 'not_verifiable', evidence: 'snapshot', path, message: `${record} was ${signed}, after this review's capture date (${today}): it counts from the next snapshot` };
  }
  if (review.decision === 'rejected') {
    return { status: 'fail', evidence: 'snapshot', path, message: `${record} was rejected: ${signed}; resolve its follow-ups, then sign off a new review` };
  }
  const age = daysBetween(review.date, today);
  if (age > maxAge) {
    return { status: 'fail', evidence: 'snapshot', path, message: `the last signed-off settings review is ${age} days old: ${record}, ${signed}; a ${cadence} review is due every ${maxAge} days` };
  }
  return { status: 'pass', evidence: 'snapshot', path, message: `${record} was ${signed} ("${review.decision}"), ${age} days ago, within the ${maxAge} days of a ${cadence} review` };
}
