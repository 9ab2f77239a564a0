import { sealContributionPoints } from "../kernel/contributions.ts";
import { addErrorCodes } from "../kernel/errors.ts";
import type { ModuleDescription } from "../kernel/module.ts";
import { module as accounts } from "../modules/accounts/accounts.module.ts";
import { module as actions } from "../modules/actions/actions.module.ts";
import { module as alerts } from "../modules/alerts/alerts.module.ts";
import { module as announcedDelays } from "../modules/announced-delays/announced-delays.module.ts";
import { module as assessments } from "../modules/assessments/assessments.module.ts";
import { module as audit } from "../modules/audit/audit.module.ts";
import { module as backup } from "../modules/backup/backup.module.ts";
import { module as calendar } from "../modules/calendar/calendar.module.ts";
import { module as calls } from "../modules/calls/calls.module.ts";
import { module as dashboards } from "../modules/dashboards/dashboards.module.ts";
import { module as frameworks } from "../modules/frameworks/frameworks.module.ts";
import { module as health } from "../modules/health/health.module.ts";
import { module as home } from "../modules/home/home.module.ts";
import { module as indicators } from "../modules/indicators/indicators.module.ts";
import { module as integrations } from "../modules/integrations/integrations.module.ts";
import { module as jobs } from "../modules/jobs/jobs.module.ts";
import { module as label } from "../modules/label/label.module.ts";
import { module as legal } from "../modules/legal/legal.module.ts";
import { module as levers } from "../modules/levers/levers.module.ts";
import { module as mail } from "../modules/mail/mail.module.ts";
import { module as mailboxes } from "../modules/mailboxes/mailboxes.module.ts";
import { module as mystery } from "../modules/mystery/mystery.module.ts";
import { module as obligations } from "../modules/obligations/obligations.module.ts";
import { module as openingHours } from "../modules/opening-hours/opening-hours.module.ts";
import { module as organisations } from "../modules/organisations/organisations.module.ts";
import { module as privacy } from "../modules/privacy/privacy.module.ts";
import { module as publication } from "../modules/publication/publication.module.ts";
import { module as requests } from "../modules/requests/requests.module.ts";
import { module as reviews } from "../modules/reviews/reviews.module.ts";
import { module as staff } from "../modules/staff/staff.module.ts";
import { module as surveys } from "../modules/surveys/surveys.module.ts";
import { addFlashMessages } from "../ui/page.tsx";

/**
 * Every module of the application, from the description each exports (`<module>.module.ts`, see
 * src/kernel/module.ts). The order is the one contributions are read in: the dashboard lists the
 * indicator sources in it (requests, surveys, calls, mystery, assessments, actions, staff, then
 * the feedback figures of obligations), the daily e-mail its sections (alerts, then actions).
 * Adding a module is one line here; no catalogue, route list or job list elsewhere. A test
 * (test/architecture.test.ts) fails when a folder of src/modules is missing from this list.
 */
export const MODULES: readonly ModuleDescription[] = [
  health,
  home,
  accounts,
  organisations,
  audit,
  calendar,
  openingHours,
  frameworks,
  levers,
  announcedDelays,
  mail,
  alerts,
  mailboxes,
  requests,
  surveys,
  calls,
  mystery,
  assessments,
  actions,
  staff,
  obligations,
  indicators,
  dashboards,
  publication,
  reviews,
  label,
  integrations,
  legal,
  privacy,
  backup,
  jobs,
];

let assembled = false;

/**
 * Merges the modules' catalogues and hands their contributions to the points that read them; once per
 * process (the server, the worker, each command, each test file), before any page or job runs.
 * Refuses, at start rather than on a page, a flash or error code outside its module's prefixes and a prefix or
 * module name claimed twice.
 */
export function assembleModules(): readonly ModuleDescription[] {
  if (assembled) return MODULES;
  const owners = new Map<string, string>();
  const names = new Set<string>();
  for (const m of MODULES) {
    if (names.has(m.name)) throw new Error(`Module déclaré deux fois : ${m.name}`);
    names.add(m.name);
    for (const prefix of m.prefixes ?? []) {
      const owner = owners.get(prefix);
      if (owner) throw new Error(`Le préfixe « ${prefix} » est réclamé par ${owner} et ${m.name}.`);
      owners.set(prefix, m.name);
    }
    for (const code of [...Object.keys(m.flash ?? {}), ...Object.keys(m.errors ?? {})]) {
      const prefix = code.split(".")[0] ?? code;
      if (owners.get(prefix) !== m.name) throw new Error(`Le code « ${code} » du module ${m.name} n'est pas sous l'un de ses préfixes.`);
    }
  }
  for (const m of MODULES) {
    if (m.flash) addFlashMessages(m.flash);
    if (m.errors) addErrorCodes(m.errors);
    for (const contribution of m.contributions ?? []) contribution.add();
  }
  sealContributionPoints();
  assembled = true;
  return MODULES;
}
