import { BarChartFigure } from "../../ui/charts.tsx";
import { formatMonth, formatNumber, formatOrdinal, formatRate, NBSP, plural, pluralWord } from "../../ui/format.ts";
import { PeriodFields } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, type Channel, REQUEST_KIND_LABELS, type RequestKind } from "../frameworks/channels.ts";
import type { DelayFigures, RequestIndicators } from "./indicators.ts";
import { formatDate } from "./requests.views.tsx";

const pct = (rate: number | null) => formatRate(rate);
const days = (d: number | null) => (d === null ? "—" : `${formatNumber(d, 1)}${NBSP}j`);

function Row({ label, f }: { label: string; f: DelayFigures }): SafeHtml {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{formatNumber(f.received)}</td>
      <td>{formatNumber(f.answered)}</td>
      <td>{pct(f.inTimeRate)}</td>
      <td>{days(f.medianDays)}</td>
      <td>{days(f.p90Days)}</td>
    </tr>
  );
}

function Table({ caption, header, rows }: { caption: string; header: string; rows: Array<{ label: string; f: DelayFigures }> }): SafeHtml {
  return (
    <TableFrame>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{header}</th>
            <th scope="col">Reçues</th>
            <th scope="col">Répondues</th>
            <th scope="col">Dans le délai annoncé</th>
            <th scope="col">Délai médian (jours ouvrés)</th>
            <th scope="col">{`${formatOrdinal(9)} décile`}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row label={r.label} f={r.f} />
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function IndicatorsView({ orgName, data, action }: { orgName: string; data: RequestIndicators; action: string }): SafeHtml {
  return (
    <div>
      <h1>{`Délais de réponse — ${orgName}`}</h1>
      <form method="get" action={action} class="fr-mb-4w">
        <PeriodFields from={data.from} to={data.to} />
      </form>
      <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
        <div class="fr-col-12 fr-col-md-3">
          <div class="fr-callout">
            <p class="fr-callout__title">{pct(data.total.inTimeRate)}</p>
            <p class="fr-callout__text">
              {data.total.answeredWithTarget < 2
                ? `dans le délai annoncé, sur ${plural(data.total.answeredWithTarget, "réponse")} à une demande qui en avait un`
                : `dans le délai annoncé, sur ${plural(data.total.answeredWithTarget, "réponse")} à des demandes qui en avaient un`}
            </p>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-3">
          <div class="fr-callout">
            <p class="fr-callout__title">{days(data.total.medianDays)}</p>
            <p class="fr-callout__text">{`délai médian (${formatOrdinal(9)} décile${NBSP}: ${days(data.total.p90Days)})`}</p>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-3">
          <div class="fr-callout">
            <p class="fr-callout__title">{formatNumber(data.backlog.open)}</p>
            <p class="fr-callout__text">{`${pluralWord(data.backlog.open, "demande")} en cours au ${formatDate(data.backlog.asOf)}`}</p>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-3">
          <div class="fr-callout fr-callout--pink-tuile">
            <p class="fr-callout__title">{formatNumber(data.backlog.overdue)}</p>
            <p class="fr-callout__text">en retard</p>
          </div>
        </div>
      </div>
      <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-callout" id="acknowledged-in-time">
            <p class="fr-callout__title">{pct(data.total.acknowledgedInTimeRate)}</p>
            <p class="fr-callout__text">
              {`des accusés de réception envoyés dans leur délai (une semaine par courriel ou internet, deux par courrier), sur ${plural(data.total.acknowledgementOwed, "demande")} par ces canaux`}
            </p>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-callout" id="holding-before-deadline">
            <p class="fr-callout__title">{pct(data.total.holdingRate)}</p>
            <p class="fr-callout__text">
              {`des demandes en retard ont reçu une réponse d'attente avant l'échéance, sur ${plural(data.total.late, "demande")} ${pluralWord(data.total.late, "répondue")} après l'échéance ou encore ${pluralWord(data.total.late, "ouverte")} au-delà`}
            </p>
          </div>
        </div>
      </div>
      <BarChartFigure
        chart={{
          title: "Part des réponses dans le délai annoncé, par mois de réception",
          categories: data.byMonth.map((m) => formatMonth(m.month, { short: true })),
          series: [
            { name: "Dans le délai", values: data.byMonth.map((m) => (m.inTimeRate === null ? null : Math.round(m.inTimeRate * 100))) },
          ],
          max: 100,
          unit: "%",
        }}
      />
      <Table caption="Par mois de réception" header="Mois" rows={data.byMonth.map((m) => ({ label: formatMonth(m.month), f: m }))} />
      <Table
        caption="Par canal"
        header="Canal"
        rows={data.byChannel.map((c) => ({ label: CHANNEL_LABELS[c.channel as Channel] ?? c.channel, f: c }))}
      />
      <Table
        caption="Par type"
        header="Type"
        rows={data.byKind.map((k) => ({ label: REQUEST_KIND_LABELS[k.kind as RequestKind] ?? k.kind, f: k }))}
      />
    </div>
  );
}
