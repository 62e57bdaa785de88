/**
 * Items 13 and 14: the organization boundary in code.
 *   13 queries take orgId from auth(), not from the request body, params or query; queries in
 *      org-scoped handlers filter by orgId or userId
 *   14 privileged branches check has({ role | permission }) / auth.protect({ role }), not
 *      publicMetadata / unsafeMetadata booleans on a user object
 */
import type * as TS from 'typescript';
import { chainOf, isFunction, propertyName, stringValue, ts, unwrap, walk } from '../ast';
import { at, atRoot, observation, type DetectorContext } from '../context';
import { dataCalls, isWebhookHandler, sessionUse, taggedQueries, type Handler } from '../handlers';
import { resolvedChain, type SourceFile } from '../source';

const ORG_NAMES = /^(orgId|org_id|organizationId|organization_id|orgSlug|org_slug|tenantId|tenant_id)$/;
const REQUEST_SOURCES = /^(req|request|c|ctx|context)\.(body|query|params|headers|cookies)$|^(body|query|params|searchParams|formData|payload|input|data|headers|cookies)$/;
/** Header and cookie names are free-form: `x-org-id`, `x-tenant`, `org`. */
const ORG_HEADER = /org|tenant/i;
/** Keys under which a value selects, orders or pages rows: never a filter. */
const NON_FILTER_KEYS = /^(select|include|orderBy|order|sort|fields|projection|omit|distinct|columns|returning|with|groupBy|cursor|take|skip|limit|offset|_count|_sum|_avg|_min|_max)$/;
/** Keys that hold a query's filter (Prisma `where`, Mongo `$match`, …). */
const FILTER_KEYS = /^(where|filter|match|\$match|conditions?)$/;
/** Chain methods whose arguments are a filter (Drizzle/Knex `.where`, Supabase `.eq`, …). */
const FILTER_CALLS = /^(where|andWhere|orWhere|whereIn|whereRaw|filter|match|eq|in|is|having)$/;

export function detectOrgScoping(context: DetectorContext, handlers: readonly Handler[]): void {
  const { report } = context;
  let orgAware = 0;
  for (const handler of handlers) {
    if (isWebhookHandler(handler) || !handler.fn?.body) continue;
    const body = handler.fn.body;
    const name = `${handler.label} ${handler.path === '(server action)' ? `in ${handler.file.display}` : handler.path}`;
    const use = sessionUse(handler.file, handler.fn);
    const authOrg = [...use.names.entries()].filter(([, property]) => ORG_NAMES.test(property)).map(([local]) => local);
    const authUser = [...use.names.entries()].filter(([, property]) => property === 'userId').map(([local]) => local);
    const fromRequest = requestOrgReads(handler.file, handler.fn);
    const queries = [...dataCalls(handler.file, body), ...taggedQueries(body)];
    if (fromRequest.length > 0 || authOrg.length > 0) orgAware++;
    for (const read of fromRequest) {
      if (comparedWithAuth(body, read.local, authOrg) || membershipChecked(handler.file, body)) {
        report(observation('org-scoped-queries', 'org-from-request-checked', 'pass', 'medium', `${name} takes ${read.label} from the request but checks it against the session's organization`, at(handler.file, read.node)));
      } else {
        report(observation('org-scoped-queries', 'org-from-request', 'fail', queries.length > 0 ? 'high' : 'medium', `${name} takes ${read.label} from the request instead of auth(); any member can name another tenant`, at(handler.file, read.node)));
      }
    }
    if (authOrg.length === 0 || queries.length === 0) continue;
    const filters = [...authOrg, ...authUser];
    for (const query of queries) {
      const scopedBy = filters.filter((local) => valueReferences(query, local).some((reference) => filtersBy(reference, query)));
      const requestScoped = fromRequest.some((read) => read.local !== undefined && valueReferences(query, read.local).length > 0);
      if (scopedBy.length > 0) report(observation('org-scoped-queries', 'query-scoped', 'pass', 'medium', `${name}: the query filters by the session's ${scopedBy.join(' and ')}`, at(handler.file, query)));
      else if (!requestScoped) report(observation('org-scoped-queries', 'query-unscoped', 'fail', 'medium', `${name} reads the session's organization but this query filters by neither orgId nor userId`, at(handler.file, query)));
    }
  }
  if (orgAware === 0) report(observation('org-scoped-queries', 'org-scoping', 'not_verifiable', 'low', 'no server code reads an organization id (from auth() or from the request), so there was no query to judge', atRoot()));
}

/**
 * Uses of a local as a value inside a query: `{ orgId }`, `{ orgId: orgId }`, `eq(t.orgId, orgId)`,
 * `[orgId]`, `${orgId}`. A property name (`select: { orgId: true }`, `projects.orgId`) is not a use.
 */
function valueReferences(query: TS.Node, local: string): TS.Identifier[] {
  const t = ts();
  const out: TS.Identifier[] = [];
  walk(query, (node) => {
    if (!t.isIdentifier(node) || node.text !== local) return undefined;
    const parent = node.parent;
    if ((t.isPropertyAssignment(parent) || t.isPropertyAccessExpression(parent) || t.isMethodDeclaration(parent) || t.isBindingElement(parent) || t.isParameter(parent) || t.isVariableDeclaration(parent)) && parent.name === node) return undefined;
    out.push(node);
    return undefined;
  });
  return out;
}

/**
 * Whether a value inside a query restricts which rows it touches: not under a projection or
 * ordering key (`select`, `orderBy`, …), and, when the query has a filter (`where: {…}`,
 * `.where(…)`, `.eq(…)`), inside it — `update({ where: { id }, data: { orgId } })` filters by
 * id alone. A query without a filter part (a create, `find({ orgId })`, SQL parameters, a tagged
 * `sql` template) is scoped by the value wherever it stands.
 */
function filtersBy(reference: TS.Node, query: TS.Node): boolean {
  const t = ts();
  let inFilter = false;
  let child: TS.Node = reference;
  for (let current = reference.parent; current && child !== query; child = current, current = current.parent) {
    const key = t.isPropertyAssignment(current) || t.isShorthandPropertyAssignment(current) ? propertyName(current.name) : undefined;
    if (key !== undefined && NON_FILTER_KEYS.test(key)) return false;
    if (key !== undefined && FILTER_KEYS.test(key)) inFilter = true;
    if (t.isCallExpression(current) && current.arguments.includes(child as TS.Expression) && FILTER_CALLS.test(calledName(current) ?? '')) inFilter = true;
  }
  return inFilter || !hasFilterPart(query);
}

function hasFilterPart(query: TS.Node): boolean {
  const t = ts();
  let found = false;
  walk(query, (node) => {
    if (found || (node !== query && isFunction(node))) return false;
    if ((t.isPropertyAssignment(node) || t.isShorthandPropertyAssignment(node)) && FILTER_KEYS.test(propertyName(node.name) ?? '')) found = true;
    else if (t.isCallExpression(node) && t.isPropertyAccessExpression(node.expression) && FILTER_CALLS.test(node.expression.name.text)) found = true;
    return undefined;
  });
  return found;
}

function calledName(call: TS.CallExpression): string | undefined {
  const t = ts();
  const callee = unwrap(call.expression);
  if (t.isPropertyAccessExpression(callee)) return callee.name.text;
  if (t.isIdentifier(callee)) return callee.text;
  return undefined;
}

interface RequestOrgRead {
  node: TS.Node;
  label: string;
  /** The local name it is bound to, when it is. */
  local?: string;
}

/** orgId read from the body, query, params, search params or form data. */
function requestOrgReads(file: SourceFile, fn: TS.FunctionLikeDeclaration): RequestOrgRead[] {
  const t = ts();
  const out: RequestOrgRead[] = [];
  const body = fn.body as TS.Node;
  // Names bound to the parsed body: const body = await req.json(); const data = req.body
  const bodyNames = new Set<string>();
  // Names bound to the request's headers or cookies: const jar = await cookies(); const h = req.headers
  const headerNames = new Set<string>();
  walk(body, (node) => {
    if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.initializer) {
      const text = unwrap(node.initializer).getText();
      if (/^(await\s+)?(headers|cookies)\(\)$|^(req|request|c\.req)\.(headers|cookies)$/.test(text)) headerNames.add(node.name.text);
      if (/^(req|request|c\.req|ctx\.request)\.(json|formData)\(\)$|^(req|request)\.(body|query|params|headers|cookies)$|^(await\s+)?props\.params$|^(await\s+)?(headers|cookies)\(\)$/.test(text)) bodyNames.add(node.name.text);
    }
  });
  // Handler parameters named like request input: ({ params }), (formData: FormData), (input)
  for (const parameter of fn.parameters) {
    if (t.isObjectBindingPattern(parameter.name)) {
      for (const element of parameter.name.elements) if (t.isIdentifier(element.name) && /^(params|searchParams|body|query)$/.test(element.name.text)) bodyNames.add(element.name.text);
    } else if (t.isIdentifier(parameter.name) && /^(formData|input|data|payload|body|params)$/.test(parameter.name.text)) bodyNames.add(parameter.name.text);
  }
  const isRequestObject = (expression: TS.Expression): boolean => {
    const text = unwrap(expression).getText();
    return bodyNames.has(text) || REQUEST_SOURCES.test(text) || /^(await\s+)?(req|request|c\.req)\.json\(\)$|^(await\s+)?(headers|cookies)\(\)$/.test(text);
  };
  const isHeaderOrCookie = (expression: TS.Expression): boolean => /headers|cookies/i.test(unwrap(expression).getText()) || headerNames.has(unwrap(expression).getText());
  walk(body, (node) => {
    if (isFunction(node) && node !== fn) return undefined;
    // body.orgId / req.query.orgId / params.orgId
    if (t.isPropertyAccessExpression(node) && ORG_NAMES.test(node.name.text) && isRequestObject(node.expression)) {
      out.push({ node, label: node.getText().slice(0, 40), ...boundLocal(node) });
    }
    // req.headers['x-org-id'] / req.cookies['org'] / body['orgId']
    if (t.isElementAccessExpression(node) && isRequestObject(node.expression)) {
      const key = stringValue(node.argumentExpression);
      if (key !== undefined && (ORG_NAMES.test(key) || (isHeaderOrCookie(node.expression) && ORG_HEADER.test(key)))) out.push({ node, label: node.getText().slice(0, 40), ...boundLocal(node) });
    }
    // const { orgId } = await req.json() / = req.body / = params
    if (t.isVariableDeclaration(node) && t.isObjectBindingPattern(node.name) && node.initializer && isRequestObject(node.initializer)) {
      for (const element of node.name.elements) {
        const property = element.propertyName ? propertyName(element.propertyName) : t.isIdentifier(element.name) ? element.name.text : undefined;
        if (property && ORG_NAMES.test(property) && t.isIdentifier(element.name)) out.push({ node: element, label: property, local: element.name.text });
      }
    }
    // searchParams.get('orgId') / formData.get('orgId') / c.req.query('orgId') / c.req.param('orgId')
    // and headers and cookies: req.headers.get('x-org-id') / (await headers()).get('x-org-id') /
    // cookies().get('org') / req.get('x-org-id') / c.req.header('x-tenant')
    if (t.isCallExpression(node)) {
      const chain = chainOf(node.expression);
      const last = chain?.[chain.length - 1];
      const key = stringValue(node.arguments[0]);
      const joined = chain?.join('.') ?? '';
      const receiver = chain?.slice(0, -1).join('.') ?? '';
      const headerOrCookie = last === 'header' || last === 'cookie' || /headers|cookies/i.test(joined) || headerNames.has(receiver) || /^(req|request)\.get$/.test(joined);
      const orgKey = key !== undefined && (ORG_NAMES.test(key) || (headerOrCookie && ORG_HEADER.test(key)));
      if (orgKey && (last === 'get' || last === 'query' || last === 'param' || last === 'header' || last === 'cookie') && (headerOrCookie || /searchParams|formData|query|params|req|url/i.test(joined))) {
        out.push({ node, label: `${key} (${joined})`, ...boundLocal(node) });
      }
    }
    return undefined;
  });
  return out;
}

function boundLocal(node: TS.Node): { local?: string } {
  const t = ts();
  const parent = node.parent;
  if (parent && t.isVariableDeclaration(parent) && t.isIdentifier(parent.name)) return { local: parent.name.text };
  return {};
}

function comparedWithAuth(body: TS.Node, local: string | undefined, authOrg: string[]): boolean {
  if (!local || authOrg.length === 0) return false;
  const t = ts();
  let found = false;
  walk(body, (node) => {
    if (found) return false;
    if (t.isBinaryExpression(node) && /^(===|!==|==|!=)$/.test(node.operatorToken.getText())) {
      const text = node.getText();
      if (new RegExp(`\\b${local}\\b`).test(text) && authOrg.some((name) => new RegExp(`\\b${name}\\b`).test(text))) found = true;
    }
    return undefined;
  });
  return found;
}

/** A membership lookup before trusting a requested org: getOrganizationMembershipList, has({ … }). */
function membershipChecked(file: SourceFile, body: TS.Node): boolean {
  const t = ts();
  let found = false;
  walk(body, (node) => {
    if (found) return false;
    if (t.isCallExpression(node)) {
      const chain = resolvedChain(file, node.expression);
      const last = chain?.[chain.length - 1] ?? '';
      if (/getOrganizationMembershipList|getOrganizationMembership$/.test(last)) found = true;
    }
    return undefined;
  });
  return found;
}

// --- Item 14 -------------------------------------------------------------------------------------

export function detectRoleChecks(context: DetectorContext): void {
  const { report } = context;
  const t = ts();
  let judged = 0;
  for (const file of context.project.files) {
    const client = context.project.client.has(file.relative);
    for (const read of file.metadataReads) {
      const name = t.isPropertyAccessExpression(read) ? read.name.text : stringValue((read as TS.ElementAccessExpression).argumentExpression) ?? '';
      if (/private/i.test(name)) continue;
      const gate = gatingContext(read);
      if (!gate) continue;
      judged++;
      const unsafe = /unsafe/i.test(name);
      const confidence = unsafe || client ? 'high' : 'medium';
      const why = unsafe ? 'unsafeMetadata is writable by the user from the browser' : client ? 'a client-side user object is stale and under the user\'s control' : 'a metadata flag is not a role claim from the verified session';
      report(observation('org-role-checks', 'metadata-gate', 'fail', confidence, `a privileged branch is gated on ${name} (${why}); check has({ role }) or has({ permission }) server-side`, at(file, gate)));
    }
    for (const call of file.calls) {
      const chain = resolvedChain(file, call.expression);
      const last = (chain?.[chain.length - 1] ?? '').replace(/\(\)$/, '');
      const argument = call.arguments[0];
      const roleArgument = argument && t.isObjectLiteralExpression(argument) && argument.properties.some((property) => /^(role|permission|feature|plan)$/.test(propertyName(property.name) ?? ''));
      if ((last === 'has' || last === 'protect') && roleArgument) {
        judged++;
        report(observation('org-role-checks', 'role-check', 'pass', client && last === 'has' ? 'medium' : 'high', `privileged access is checked with ${last}({ ${argument.properties.map((property) => propertyName(property.name)).join(', ')} })${client && last === 'has' ? ' in a client module (enforce it on the server too)' : ''}`, at(file, call)));
      }
    }
    // <Protect role="org:admin"> / <Protect permission="…">
    if (file.text.includes('<Protect')) walk(file.sf, (node) => {
      if ((t.isJsxOpeningElement(node) || t.isJsxSelfClosingElement(node)) && node.tagName.getText() === 'Protect') {
        const attributes = node.attributes.properties.map((attribute) => (t.isJsxAttribute(attribute) ? attribute.name.getText() : ''));
        if (attributes.some((attribute) => /^(role|permission|condition)$/.test(attribute))) {
          judged++;
          report(observation('org-role-checks', 'role-check', 'pass', 'medium', `<Protect ${attributes.filter(Boolean).join(' ')}> hides UI by role; the server must check too`, at(file, node)));
        }
      }
    });
  }
  if (judged === 0) report(observation('org-role-checks', 'role-check', 'not_verifiable', 'low', 'no role check (has, auth.protect({ role }), <Protect>) and no metadata-gated branch was found', atRoot()));
}

/** The condition a metadata read decides, if it decides one: if/ternary/&&/switch/return of a predicate. */
function gatingContext(read: TS.Node): TS.Node | undefined {
  const t = ts();
  let child: TS.Node = read;
  let current: TS.Node | undefined = read.parent;
  for (let i = 0; i < 12 && current; i++, child = current, current = current.parent) {
    if (t.isIfStatement(current) && child === current.expression) return current.expression;
    if (t.isConditionalExpression(current) && child === current.condition) return current.condition;
    if (t.isBinaryExpression(current) && current.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken && child === current.left) return current;
    if (t.isSwitchStatement(current) && child === current.expression) return current.expression;
    if (t.isReturnStatement(current)) {
      const fn = enclosingName(current);
      return fn && /^(is|can|has|should)[A-Z_]|admin|allowed|authori[sz]ed/i.test(fn) ? current : undefined;
    }
    if (t.isVariableDeclaration(current)) return t.isIdentifier(current.name) && /^(is|can|has)[A-Z_]|admin/i.test(current.name.text) ? current : undefined;
    if (t.isBlock(current) || isFunction(current) || t.isExpressionStatement(current)) return undefined;
  }
  return undefined;
}

function enclosingName(node: TS.Node): string | undefined {
  const t = ts();
  let current: TS.Node | undefined = node.parent;
  while (current && !isFunction(current)) current = current.parent;
  if (!current) return undefined;
  if ((t.isFunctionDeclaration(current) || t.isMethodDeclaration(current)) && current.name) return current.name.getText();
  if (current.parent && t.isVariableDeclaration(current.parent)) return current.parent.name.getText();
  return undefined;
}
