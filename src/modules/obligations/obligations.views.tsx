import { formatDate, formatDateTimeShort, formatMonth, formatNumber, formatPercent, frenchSpacing, NBSP, plural } from "../../ui/format.ts";
import { CsrfField, UploadField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { MailState } from "../mail/mail.service.ts";
import type { ImportReport, JdmaReport, jdmaProducts, YearlyObligations } from "./obligations.service.ts";
import {
  type EffectiveTarget,
  type FeedbackRow,
  OBLIGATION_LABELS,
  OBLIGATIONS,
  type Obligation,
  type ReminderResult,
  TARGET_KEYS,
} from "./obligations.service.ts";

const MAIL_STATUS: Record<string, [string, string]> = {
  queued: ["en file d'envoi", "en file d'envoi"],
  sent: ["envoyé", "envoyés"],
  failed: ["échec", "échecs"],
};

/**
 * What asks for an obligation every year, from each site's framework (« Demandé chaque année par
 * l'engagement n° 6 « … » (3 sites) »), and the sites whose framework does not ask for it.
 */
function owedText(data: YearlyObligations, o: Obligation): string {
  const by = new Map<string, number>();
  for (const s of data.sites) {
    const owed = s.owedBy[o];
    if (owed === null) continue;
    const label =
      owed === "loop"
        ? "la boucle annuelle de Services Publics+ (aucun référentiel adopté)"
        : `l'engagement${owed.number === null ? " local" : ` n°${NBSP}${owed.number}`} « ${owed.title} »`;
    by.set(label, (by.get(label) ?? 0) + 1);
  }
  const single = data.sites.length === 1;
  const asked = [...by].map(([label, n]) => (single ? label : `${label} (${plural(n, "site")})`));
  const parts: string[] = [];
  if (asked.length) parts.push(`Demandé chaque année par ${asked.join(" ; ")}.`);
  const n = data.notOwed[o];
  if (n)
    parts.push(
      single
        ? "Le référentiel de ce site ne le demande pas chaque année : il n'est pas compté comme manquant."
        : n > 1
          ? `${plural(n, "site")} ont un référentiel qui ne le demande pas chaque année : ils ne sont pas comptés comme manquants.`
          : "1 site a un référentiel qui ne le demande pas chaque année : il n'est pas compté comme manquant.",
    );
  return frenchSpacing(parts.join(" "));
}

export function ObligationsPage(props: {
  orgId: string;
  orgName: string;
  isSite: boolean;
  data: YearlyObligations;
  reminders: Array<{ obligation: string; sentAt: Date; states: MailState[] }>;
  sent: (ReminderResult & { obligation: Obligation }) | null;
  targets: EffectiveTarget[];
  names: Map<string, string>;
  canManage: boolean;
  csrf: string;
}): SafeHtml {
  const { data, orgId } = props;
  const base = `/organisations/${orgId}/obligations`;
  // The national results are yearly: the year shown if it is over, else the last whole one.
  const resultsYear = Math.min(data.year, new Date().getFullYear() - 1);
  return (
    <div>
      <h1>{`Obligations annuelles — ${props.orgName}`}</h1>
      <form method="get" action={base} class="fr-mb-3w">
        <div class="fr-input-group">
          <label class="fr-label" for="year">
            Année
          </label>
          <input class="fr-input" type="number" id="year" name="year" min="2000" max="2100" value={String(data.year)} />
        </div>
        <button class="fr-btn fr-btn--secondary" type="submit">
          Afficher
        </button>
      </form>
      {props.sent ? (
        <div class="fr-alert fr-alert--info fr-mb-3w" role="status">
          <p>
            {props.sent.queued
              ? `${plural(props.sent.queued, "rappel")} mis en file d'envoi pour « ${OBLIGATION_LABELS[props.sent.obligation].title} » : leur état (envoyé ou en échec) est suivi ci-dessous.`
              : `Aucun rappel envoyé pour « ${OBLIGATION_LABELS[props.sent.obligation].title} ».`}
            {props.sent.withoutReferent.length
              ? ` Sans référent qualité, donc sans rappel${NBSP}: ${props.sent.withoutReferent.join(", ")}.`
              : null}
          </p>
        </div>
      ) : null}
      <h2>Qui n'a pas encore… ({data.year})</h2>
      <p>{`${plural(data.sites.length, "site")} dans ce périmètre.`} Ce qui compte comme fait est indiqué sous chaque obligation.</p>
      {OBLIGATIONS.map((o) => {
        const missing = data.missing[o];
        return (
          <section class="fr-mb-4w" aria-labelledby={`missing-${o}`}>
            <h3 id={`missing-${o}`}>{`… ${OBLIGATION_LABELS[o].missing} (${formatNumber(missing.length)})`}</h3>
            <p class="fr-hint-text">{`Compte comme fait : ${OBLIGATION_LABELS[o].how}.`}</p>
            <p>{owedText(data, o)}</p>
            {data.sites.length > 0 && data.notOwed[o] === data.sites.length ? null : missing.length ? (
              <ul>
                {missing.map((s) => (
                  <li>
                    <a href={`/organisations/${s.id}/obligations?year=${data.year}`}>{s.name}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{data.notOwed[o] ? "Tous les sites qui le doivent l'ont fait." : "Tous les sites l'ont fait."}</p>
            )}
            {missing.length && props.canManage && !props.isSite ? (
              <form method="post" action={`${base}/remind`}>
                <CsrfField token={props.csrf} />
                <input type="hidden" name="year" value={String(data.year)} />
                <input type="hidden" name="obligation" value={o} />
                <button class="fr-btn fr-btn--secondary fr-btn--sm" type="submit">
                  {`Envoyer un rappel aux référents (${plural(missing.length, "site")})`}
                </button>
              </form>
            ) : null}
          </section>
        );
      })}
      {props.isSite && props.canManage && !data.sites[0]?.done.review ? (
        <form method="post" action={`${base}/review`} class="fr-mb-4w">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="year" value={String(data.year)} />
          <p>
            Le bilan annuel est <a href={`/organisations/${orgId}/review?year=${data.year}`}>la page du bilan</a> ; validez-le une fois
            présenté à l'équipe.
          </p>
          <button class="fr-btn" type="submit">{`Valider le bilan annuel ${data.year}`}</button>
        </form>
      ) : null}
      <h2>Rappels envoyés</h2>
      {props.reminders.length ? (
        <ul>
          {props.reminders.map((r) => {
            const counts = new Map<string, number>();
            for (const s of r.states) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
            return (
              <li>
                {`${formatDateTimeShort(r.sentAt)} — ${OBLIGATION_LABELS[r.obligation as Obligation]?.title ?? r.obligation} : ${
                  r.states.length
                    ? [...counts].map(([k, n]) => `${formatNumber(n)} ${MAIL_STATUS[k]?.[n > 1 ? 1 : 0] ?? k}`).join(", ")
                    : "aucun message (aucun référent)"
                }`}
              </li>
            );
          })}
        </ul>
      ) : (
        <p>Aucun rappel envoyé pour cette année.</p>
      )}
      <h2>Objectifs</h2>
      <p>Un objectif fixé ici vaut pour tout ce qui est rattaché à cette organisation, sauf là où un niveau inférieur fixe le sien.</p>
      <form method="post" action={`/organisations/${orgId}/targets`}>
        <CsrfField token={props.csrf} />
        {props.targets.map((t) => (
          <div class="fr-input-group">
            <label class="fr-label" for={`target-${t.key}`}>
              {`${TARGET_KEYS[t.key]?.label ?? t.key} (en %)`}
              <span class="fr-hint-text">
                {t.value === null
                  ? "Aucun objectif fixé au-dessus."
                  : t.own
                    ? "Fixé ici."
                    : `Hérité de ${props.names.get(t.setOn ?? "") ?? "l'organisation de rattachement"} : ${formatNumber(t.value * 100, 1)}${NBSP}%.`}
              </span>
            </label>
            <input
              class="fr-input"
              type="number"
              step="0.1"
              min="0"
              max="100"
              id={`target-${t.key}`}
              name={t.key}
              value={t.own && t.value !== null ? String(Math.round(t.value * 1000) / 10) : ""}
              disabled={!props.canManage}
            />
          </div>
        ))}
        {props.canManage ? (
          <button class="fr-btn" type="submit">
            Enregistrer les objectifs
          </button>
        ) : null}
      </form>
      <h2 class="fr-h4 fr-mt-5w">Formats nationaux Services Publics+</h2>
      <p>Les deux fichiers du portail des données de Services Publics+, colonne par colonne.</p>
      <ul>
        <li>
          <a
            class="fr-link fr-icon-download-line fr-link--icon-left"
            href={`/organisations/${orgId}/export-resultats.csv?year=${resultsYear}`}
            download
          >
            {`Résultats ${resultsYear} des sites (export-resultats, CSV)`}
          </a>
        </li>
        <li>
          <a class="fr-link fr-icon-download-line fr-link--icon-left" href={`/organisations/${orgId}/export-indicateurs.csv`} download>
            Définitions des indicateurs publiés (export-indicateurs, CSV)
          </a>
        </li>
      </ul>
    </div>
  );
}

const SENTIMENT_LABELS: Record<string, string> = { negative: "négatif", neutral: "neutre", positive: "positif" };

/** What an import did: every error and nothing changed, or what was read. */
function ImportOutcome(props: { errors: string[]; failed: string; done: string }): SafeHtml {
  return props.errors.length ? (
    <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
      <h3 class="fr-alert__title">{props.failed}</h3>
      <ul>
        {props.errors.map((e) => (
          <li>{frenchSpacing(e)}</li>
        ))}
      </ul>
    </div>
  ) : (
    <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
      <p>{props.done}</p>
    </div>
  );
}

type JdmaProduct = Awaited<ReturnType<typeof jdmaProducts>>[number];

/** The periods a procedure's counts cover: « de mars à avril 2026 » for months, else their first days. */
function periodsText(j: JdmaProduct): string {
  if (j.length === "month" || j.length === "year") {
    const label = (d: string) => (j.length === "year" ? d.slice(0, 4) : formatMonth(d.slice(0, 7)));
    return j.first === j.last ? label(j.first) : `de ${label(j.first)} à ${label(j.last)}`;
  }
  return j.first === j.last
    ? `période du ${formatDate(j.first, { year: true })}`
    : `périodes commençant du ${formatDate(j.first, { year: true })} au ${formatDate(j.last, { year: true })}`;
}

export function FeedbackPage(props: {
  orgId: string;
  orgName: string;
  rows: FeedbackRow[];
  report: ImportReport | null;
  counts: { received: number; answered: number; answeredInTime: number; actions: number };
  jdma: JdmaProduct[];
  jdmaReport: JdmaReport | null;
  year: number;
  canWrite: boolean;
  /** May put a story in the action plan (the actions module's right). */
  canPlan: boolean;
  csrf: string;
  errors?: Record<string, string>;
}): SafeHtml {
  const r = props.report;
  return (
    <div>
      <h1>{`Avis des usagers — ${props.orgName}`}</h1>
      <p>
        {`${props.year} : ${plural(props.counts.received, "avis reçu", "avis reçus")}, ${plural(props.counts.answered, "réponse publique", "réponses publiques")} dont ${formatNumber(props.counts.answeredInTime)} dans les 15${NBSP}jours, ${plural(props.counts.actions, "action", "actions")} du plan qui en découle${props.counts.actions > 1 ? "nt" : ""}.`}
      </p>
      <h2>Expériences publiées sur Services Publics+</h2>
      {r ? (
        <ImportOutcome
          errors={r.errors}
          failed="Le fichier n'a pas été importé : rien n'a changé."
          done={`${plural(r.read, "expérience lue", "expériences lues")}, ${plural(r.added, "nouvelle", "nouvelles")} (les autres étaient déjà importées).`}
        />
      ) : null}
      {props.canWrite ? (
        <form method="post" action={`/organisations/${props.orgId}/feedback/import`} enctype="multipart/form-data" class="fr-mb-4w">
          <CsrfField token={props.csrf} />
          <UploadField
            label="Export des expériences Services Publics+"
            hint="Fichier CSV ou JSON téléchargé depuis Services Publics+ (colonnes « ID expérience », « Écrit le », « Description », « Ressenti usager »…)."
            accept=".csv,.json,text/csv,application/json"
          />
          <button class="fr-btn" type="submit">
            Importer
          </button>
        </form>
      ) : null}
      {props.rows.length ? (
        props.rows.map((f) => (
          <article class="fr-card fr-mb-3w fr-p-3w" aria-labelledby={`fb-${f.id}`}>
            <h3
              id={`fb-${f.id}`}
              class="fr-h6"
            >{`Expérience ${f.externalId} — ${formatDate(f.writtenOn, { year: true })}${f.sentiment ? `, ressenti ${SENTIMENT_LABELS[f.sentiment]}` : ""}`}</h3>
            <blockquote>
              <p>{f.body}</p>
            </blockquote>
            {f.nationalReply ? <p>{`Réponse déjà publiée sur Services Publics+ : ${f.nationalReply}`}</p> : null}
            {f.publicReply ? (
              <p>
                <strong>Notre réponse publique : </strong>
                {f.publicReply}
              </p>
            ) : null}
            {f.actionId ? (
              <p>
                <a href={`/organisations/${props.orgId}/actions/${f.actionId}`}>Voir l'action du plan qui en découle</a>
              </p>
            ) : props.canPlan ? (
              <form method="post" action={`/organisations/${props.orgId}/feedback/${f.id}/action`} class="fr-mb-2w">
                <CsrfField token={props.csrf} />
                <button class="fr-btn fr-btn--secondary fr-btn--sm" type="submit">
                  Mettre dans le plan d'actions
                </button>
              </form>
            ) : null}
            {props.canWrite ? (
              <form method="post" action={`/organisations/${props.orgId}/feedback/${f.id}/reply`}>
                <CsrfField token={props.csrf} />
                <div class={`fr-input-group${props.errors?.[f.id] ? " fr-input-group--error" : ""}`}>
                  <label class="fr-label" for={`reply-${f.id}`}>
                    {f.publicReply ? "Modifier la réponse publique" : "Réponse publique"}
                    <span class="fr-hint-text">Elle paraît sur la page publique des résultats, avec le message de l'usager.</span>
                  </label>
                  <textarea class="fr-input" id={`reply-${f.id}`} name="reply" rows={3} maxlength={4000}>
                    {f.publicReply ?? ""}
                  </textarea>
                  {props.errors?.[f.id] ? <p class="fr-error-text">{props.errors[f.id]}</p> : null}
                </div>
                <button class="fr-btn fr-btn--sm" type="submit">
                  Publier la réponse
                </button>
              </form>
            ) : null}
          </article>
        ))
      ) : (
        <p>Aucun avis importé.</p>
      )}
      <h2 id="jdma">Démarches en ligne : « Je donne mon avis »</h2>
      <p>
        Les statistiques du bouton « Je donne mon avis » de vos démarches en ligne : le fichier JSON que renvoie l'API « statistiques » de
        Je donne mon avis, par mois de préférence. Importer à nouveau la même période remplace ses chiffres.
      </p>
      {props.jdmaReport ? (
        <ImportOutcome
          errors={props.jdmaReport.errors}
          failed="Les statistiques n'ont pas été importées : rien n'a changé."
          done={`Statistiques importées : ${plural(props.jdmaReport.products, "démarche")}, ${plural(props.jdmaReport.periods, "période")}.`}
        />
      ) : null}
      {props.canWrite ? (
        <form method="post" action={`/organisations/${props.orgId}/feedback/jdma`} enctype="multipart/form-data" class="fr-mb-3w">
          <CsrfField token={props.csrf} />
          <UploadField
            id="jdma-file"
            label="Statistiques de Je donne mon avis"
            hint="Fichier JSON : la réponse de l'API « statistiques » de Je donne mon avis (« data », puis les démarches, leurs formulaires et leurs périodes)."
            accept=".json,application/json"
          />
          <button class="fr-btn fr-btn--secondary" type="submit">
            Importer les statistiques
          </button>
        </form>
      ) : null}
      {props.jdma.length ? (
        <div class="fr-table fr-mb-4w">
          <table>
            <caption>{`Satisfaction « Je donne mon avis » en ${props.year}, par démarche`}</caption>
            <thead>
              <tr>
                <th scope="col">Démarche</th>
                <th scope="col">Réponses</th>
                <th scope="col">Très bien</th>
                <th scope="col">Moyen</th>
                <th scope="col">Pas bien</th>
                <th scope="col">Périodes</th>
              </tr>
            </thead>
            <tbody>
              {props.jdma.map((j) => {
                const total = j.good + j.medium + j.bad;
                const share = (n: number) => (total ? formatPercent(n / total) : "—");
                return (
                  <tr>
                    <th scope="row">{j.productName}</th>
                    <td>{formatNumber(total)}</td>
                    <td>{share(j.good)}</td>
                    <td>{share(j.medium)}</td>
                    <td>{share(j.bad)}</td>
                    <td>{periodsText(j)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="fr-mb-4w">{`Aucune statistique « Je donne mon avis » pour ${props.year}.`}</p>
      )}
    </div>
  );
}

/** The replies on the public results page: plain HTML, nothing needs JavaScript. */
export function PublicReplies({ rows }: { rows: FeedbackRow[] }): SafeHtml | null {
  if (!rows.length) return null;
  return (
    <section aria-labelledby="public-replies" class="fr-mt-4w">
      <h2 id="public-replies">Vos avis et nos réponses</h2>
      {rows.map((f) => (
        <article class="fr-mb-3w">
          <h3 class="fr-h6">{`Avis du ${formatDate(f.writtenOn, { year: true })}`}</h3>
          <blockquote>
            <p>{f.body}</p>
          </blockquote>
          <p>
            <strong>Notre réponse : </strong>
            {f.publicReply ?? ""}
          </p>
        </article>
      ))}
    </section>
  );
}
