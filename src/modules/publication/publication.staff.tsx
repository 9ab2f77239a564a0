import { formatDateTime, formatNumber, plural, pluralWord } from "../../ui/format.ts";
import { CsrfField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { Organisation } from "../organisations/organisations.service.ts";
import { CHUNK_SIZE, type PublicationStatus } from "./publication.service.ts";

/** « 3 lots terminés sur 10 »: the done count carries the agreement. */
function chunksDone(done: number, chunks: number): string {
  return `${plural(done, "lot")} ${pluralWord(done, "terminé")} sur ${formatNumber(chunks)}`;
}

function RunState({ run, timeZone }: { run: NonNullable<PublicationStatus["run"]>; timeZone: string }): SafeHtml {
  const started = formatDateTime(run.startedAt, timeZone);
  const scope = `${plural(run.organisations, "organisation")} à publier`;
  if (run.underWay) {
    return (
      <div class="fr-alert fr-alert--info fr-mb-3w" id="publication-run">
        <h2 class="fr-alert__title">Publication en cours</h2>
        <p>{`${chunksDone(run.done, run.chunks)} (${scope}), lancée le ${started}.`}</p>
        {run.failed > 0 ? <p>{`${plural(run.failed, "lot")} en échec : la file de tâches ne les reprendra plus.`}</p> : null}
        <p>Rechargez la page pour suivre l'avancement.</p>
      </div>
    );
  }
  if (run.failed > 0) {
    return (
      <div class="fr-alert fr-alert--warning fr-mb-3w" id="publication-run">
        <h2 class="fr-alert__title">La dernière publication est incomplète</h2>
        <p>{`Lancée le ${started} : ${chunksDone(run.done, run.chunks)}, ${plural(run.failed, "lot")} en échec. Les organisations concernées seront reprises à la prochaine publication.`}</p>
      </div>
    );
  }
  return (
    <p id="publication-run">{`Dernière publication d'ensemble : lancée le ${started}, ${plural(run.chunks, "lot")}, ${plural(run.organisations, "organisation")} ; terminée.`}</p>
  );
}

/** The staff page of an organisation's publication: when it was last published, and the run under way. */
export function PublicationStatusView(props: {
  org: Organisation;
  status: PublicationStatus;
  csrf: string;
  canPublish: boolean;
}): SafeHtml {
  const { org, status } = props;
  return (
    <div>
      <h1>Publication des résultats</h1>
      <p class="fr-text--lead" id="last-publication">
        {status.publishedAt
          ? `Dernière publication le ${formatDateTime(status.publishedAt, org.timeZone)}.`
          : "Les résultats de cette organisation n'ont pas encore été publiés."}
      </p>
      {status.changedSince ? (
        <p>Des chiffres ont changé depuis : ils seront publiés cette nuit, ou dès que vous publiez maintenant.</p>
      ) : status.publishedAt ? (
        <p>Rien n'a changé depuis : la page publique est à jour.</p>
      ) : null}
      {status.run ? <RunState run={status.run} timeZone={org.timeZone} /> : null}
      <p>
        Chaque nuit, les organisations dont les chiffres ont changé sont publiées, et toutes au début de chaque mois, par lots de{" "}
        {`${formatNumber(CHUNK_SIZE)} organisations.`}
      </p>
      {props.canPublish ? (
        <form method="post" action={`/organisations/${org.id}/publication`} class="fr-mb-3w">
          <CsrfField token={props.csrf} />
          <p class="fr-hint-text">
            {`Publie cette organisation et ce qui lui est rattaché. Au-delà de ${formatNumber(CHUNK_SIZE)} organisations, la publication se poursuit en arrière-plan, lot par lot.`}
          </p>
          <button type="submit" class="fr-btn">
            Publier maintenant
          </button>
        </form>
      ) : null}
      <ul>
        <li>
          <a href={`/public/organisations/${org.id}/results`}>Page publique des résultats</a>
        </li>
        <li>
          <a href={`/public/organisations/${org.id}/poster.pdf`}>Affiche des résultats (PDF)</a>
        </li>
      </ul>
    </div>
  );
}
