import { CsrfField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { LETTER_LABELS, type LetterKind } from "./letters.ts";

/**
 * The letter as it will leave, before « Envoyer »: the e-mail's recipient, subject and text, the PDF
 * for the post, and the form that sends it (the same fields, carried as hidden ones).
 */
export function LetterPreview({
  kind,
  letter,
  back,
  pdfHref,
  pdfPost,
  action,
  fields,
  csrf,
}: {
  kind: LetterKind;
  letter: { subject: string; body: string; to: string | null };
  back: string;
  pdfHref: string;
  /** The printed acknowledgement makes a new tracking link: a write, hence a form. */
  pdfPost?: boolean;
  action: string;
  fields: Record<string, string>;
  csrf: string;
}): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-10">
      <h1>{`${LETTER_LABELS[kind]} — aperçu avant envoi`}</h1>
      <p>
        {letter.to
          ? `Ce courriel partira à ${letter.to} quand vous cliquerez sur « Envoyer ». Relisez-le :`
          : "Aucune adresse électronique : imprimez la lettre pour l'envoyer par la poste."}
      </p>
      <div class="fr-card fr-mb-3w">
        <div class="fr-card__body">
          <div class="fr-card__content">
            <p class="fr-card__title" id="letter-subject">{`Objet : ${letter.subject}`}</p>
            <div class="fr-card__desc vigie-letter" id="letter-body">
              {letter.body}
            </div>
          </div>
        </div>
      </div>
      <ul class="fr-btns-group fr-btns-group--inline-md">
        {letter.to ? (
          <li>
            <form method="post" action={action}>
              <CsrfField token={csrf} />
              {Object.entries(fields).map(([name, value]) => (
                <input type="hidden" name={name} value={value} />
              ))}
              <input type="hidden" name="step" value="send" />
              <button class="fr-btn" type="submit">
                Envoyer
              </button>
            </form>
          </li>
        ) : null}
        <li>
          {pdfPost ? (
            <form method="post" action={pdfHref}>
              <CsrfField token={csrf} />
              <button class="fr-btn fr-btn--secondary" type="submit">
                Version PDF à imprimer
              </button>
            </form>
          ) : (
            <a class="fr-btn fr-btn--secondary" href={pdfHref}>
              Version PDF à imprimer
            </a>
          )}
        </li>
        <li>
          <a class="fr-btn fr-btn--tertiary" href={back}>
            Revenir à la demande sans envoyer
          </a>
        </li>
      </ul>
    </div>
  );
}
