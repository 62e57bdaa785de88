/**
 * Item 3, application side: which origins the app's own token verification accepts. Clerk's
 * SDKs take `authorizedParties` (clerkMiddleware, authenticateRequest, verifyToken): the exact
 * origins whose session tokens (their `azp` claim) are accepted. The instance's domains and
 * `allowed_origins` say what the Frontend API serves; `authorizedParties` says what the app
 * trusts, so it is judged here by the same rules as an origin list: exact origins, no wildcard,
 * no plain http or localhost in production. Found nowhere = nothing reported (the item keeps its
 * instance evidence); computed at run time = not decidable.
 */
import { originProblem } from '../../checklist/rules/keys';
import { chainOf, propertyName, stringValue, ts, unwrap } from '../ast';
import { at, observation, type DetectorContext } from '../context';

const TAKES_AUTHORIZED_PARTIES = new Set(['clerkMiddleware', 'authenticateRequest', 'verifyToken', 'clerkPlugin', 'authMiddleware']);

export function detectAuthorizedParties(context: DetectorContext): void {
  const t = ts();
  const environmentType = context.policy.environmentType ?? 'production';
  for (const file of context.project.files) {
    for (const call of file.calls) {
      const chain = chainOf(call.expression);
      const last = chain?.[chain.length - 1];
      if (!last || !TAKES_AUTHORIZED_PARTIES.has(last)) continue;
      for (const argument of call.arguments) {
        const object = unwrap(argument);
        if (!t.isObjectLiteralExpression(object)) continue;
        for (const property of object.properties) {
          if (!t.isPropertyAssignment(property) || propertyName(property.name) !== 'authorizedParties') continue;
          const value = unwrap(property.initializer);
          const where = at(file, property);
          if (!t.isArrayLiteralExpression(value)) {
            context.report(observation('origins-exact-allowlist', 'authorized-parties-computed', 'not_verifiable', 'low', `${last} takes authorizedParties computed at run time: check it lists only your exact production origins`, where));
            continue;
          }
          const origins = value.elements.map((element) => stringValue(element));
          if (origins.some((origin) => origin === undefined)) {
            context.report(observation('origins-exact-allowlist', 'authorized-parties-computed', 'not_verifiable', 'low', `${last}'s authorizedParties holds values computed at run time: check they are exact production origins`, where));
            continue;
          }
          const problems = (origins as string[]).map((origin) => [origin, originProblem(origin, environmentType)] as const).filter(([, problem]) => problem !== undefined);
          if (problems.length > 0) {
            for (const [origin, problem] of problems) context.report(observation('origins-exact-allowlist', 'authorized-parties-origin', 'fail', 'high', `${last} accepts session tokens for "${origin}", which ${problem}`, where));
          } else if (origins.length === 0) {
            context.report(observation('origins-exact-allowlist', 'authorized-parties-empty', 'fail', 'medium', `${last} sets authorizedParties to an empty list, so the azp claim of a session token is not checked`, where));
          } else {
            context.report(observation('origins-exact-allowlist', 'authorized-parties-exact', 'pass', 'high', `${last} accepts session tokens only for ${(origins as string[]).join(', ')} (authorizedParties)`, where));
          }
        }
      }
    }
  }
}
