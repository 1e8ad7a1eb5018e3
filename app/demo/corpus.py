"""Deterministic generator of realistic multilingual customer mail for tests, benchmarks and demos.

Everything is derived from string-seeded ``random.Random`` instances (seeded through SHA-512,
not ``hash()``), so a seed gives the same bytes in every process and on every machine. Each
thread and each message draws from its own generator, which also makes a smaller corpus a
prefix of a larger one with the same seed.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import html
import random
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from math import log
from urllib.parse import quote

__all__ = ["CorpusMessage", "generate_corpus", "hostile_messages"]

DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CorpusMessage:
    """One generated message.

    ``thread_key`` groups the messages of one conversation, ``language`` is the langdetect
    code of the newly written text (quotes excluded), ``charset`` the lower-case charset of
    the text part(s) and ``has_attachment`` whether a part has ``Content-Disposition:
    attachment`` (inline ``cid:`` images do not count).
    """

    raw: bytes
    thread_key: str
    language: str
    message_id: str
    has_attachment: bool
    charset: str


# =========================================================================== language data


@dataclass(frozen=True, slots=True)
class _Lang:
    code: str
    weight: float
    greetings: tuple[str, ...]
    signoffs: tuple[str, ...]
    # (topic, subject, body); topics pick plausible attachments.
    templates: tuple[tuple[str, str, str], ...]
    followups: tuple[str, ...]
    attach_note: str
    resend_note: str
    # (display name, given name, ASCII local part)
    people: tuple[tuple[str, str, str], ...]
    # (domain, company name or "" for a freemail provider)
    domains: tuple[tuple[str, str], ...]
    utc_offsets: tuple[int, ...]  # minutes, January
    phone_prefix: str
    money: str  # format with {whole} and {cents}
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    long_date: str  # {wd} {d} {mon} {m} {y} {hm}
    short_date: str  # {dd} {mm} {y} {yy}
    gmail_attr: str  # {date} {name} {addr}
    short_attr: str  # {date} {hm} {name}
    labels: tuple[str, str, str, str]  # Outlook's From/Sent/To/Subject
    reply_prefix: str  # Outlook's localised "Re:"
    forward_prefix: str
    original_separator: str
    device: str
    files: tuple[str, str, str, str]  # invoice, photo, export, screenshot
    legacy_charsets: tuple[str, ...]
    content_language: str


def _fold_ascii(text: str) -> str:
    special = {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "æ": "ae", "œ": "oe", "'": "", " ": ""}
    decomposed = unicodedata.normalize("NFKD", "".join(special.get(c, c) for c in text))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _latin_people(firsts: str, lasts: str) -> tuple[tuple[str, str, str], ...]:
    people = []
    for first in firsts.split(","):
        for last in lasts.split(","):
            people.append((f"{first} {last}", first, f"{_fold_ascii(first)}.{_fold_ascii(last)}"))
    return tuple(people)


_WESTERN = ("iso-8859-1", "windows-1252")

_LANG_LIST: tuple[_Lang, ...] = (
    _Lang(
        code="en",
        weight=28,
        greetings=("Hello,", "Hi,", "Dear Acme team,", "Good morning,", "Hi there,"),
        signoffs=("Thanks,", "Kind regards,", "Best regards,", "Thank you,", "Cheers,"),
        templates=(
            (
                "order",
                "Order {order} hasn't arrived",
                "I placed order {order} twelve days ago and the tracking page still says the "
                "parcel is being prepared. Could you check what is going on? I need it before "
                "the end of the month.",
            ),
            (
                "refund",
                "Refund for a damaged item",
                "The kettle from order {order} arrived with a cracked lid, so I sent it back "
                "last week. I haven't seen the refund of {amount} on my card yet. Can you tell "
                "me when it will be processed?",
            ),
            (
                "login",
                "Can't log in to my account",
                "Since yesterday I can't sign in to my account. The password reset email never "
                "shows up, not even in the spam folder. Could you please reset it for me or "
                "tell me what I'm doing wrong?",
            ),
            (
                "invoice",
                "Wrong VAT number on invoice {order}",
                "The invoice for order {order} shows our old VAT number. Our accountant needs a "
                "corrected copy with the new number before we can pay it. Would you be able to "
                "reissue it?",
            ),
            (
                "cancel",
                "Please cancel my subscription",
                "Please cancel my monthly subscription from the next billing date. I was also "
                "charged twice in December, so I'd appreciate it if you could look into that "
                "as well.",
            ),
        ),
        followups=(
            "Any update on this? I still haven't heard back from you.",
            "I'm writing again because nobody has answered my email below. Please get back to "
            "me as soon as you can.",
            "One more thing: I tried again this morning and nothing has changed.",
            "Could someone please call me or reply today? It is getting urgent.",
        ),
        attach_note="I've attached the document for reference.",
        resend_note="I'm sending the attachment again in case it didn't come through the first "
        "time.",
        people=_latin_people(
            "James,Emily,Michael,Sarah,David,Olivia,Daniel,Hannah,Chris,Laura",
            "Walker,Thompson,Bennett,O'Connor,Hughes,Patel,Collins,Morgan",
        ),
        domains=(
            ("gmail.test", ""),
            ("outlook.test", ""),
            ("yahoo.test", ""),
            ("icloud.test", ""),
            ("brightwater-hotels.test", "Brightwater Hotels Ltd"),
            ("northfield-dental.test", "Northfield Dental Practice"),
        ),
        utc_offsets=(0, 0, -300, -360, -480),
        phone_prefix="+44 20",
        money="${whole}.{cents}",
        weekdays=_words("Mon Tue Wed Thu Fri Sat Sun"),
        months=_words("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
        long_date="{wd}, {mon} {d}, {y} at {hm}",
        short_date="{dd}/{mm}/{y}",
        gmail_attr="On {date} {name} <{addr}> wrote:",
        short_attr="On {date} {hm}, {name} wrote:",
        labels=("From", "Sent", "To", "Subject"),
        reply_prefix="RE:",
        forward_prefix="FW:",
        original_separator="-----Original Message-----",
        device="Sent from my iPhone",
        files=(
            "invoice_{order}.pdf",
            "photo_damage.png",
            "order_export.csv",
            "Screenshot {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="en-GB",
    ),
    _Lang(
        code="de",
        weight=16,
        greetings=("Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Liebes Acme-Team,"),
        signoffs=("Viele Grüße", "Mit freundlichen Grüßen", "Danke und Gruß", "Beste Grüße"),
        templates=(
            (
                "order",
                "Bestellung {order} noch nicht angekommen",
                "Ich habe vor zwei Wochen die Bestellung {order} aufgegeben, aber das Paket ist "
                "immer noch nicht da. Laut Sendungsverfolgung liegt es seit Tagen im "
                "Verteilzentrum. Können Sie bitte nachfragen, was da los ist?",
            ),
            (
                "refund",
                "Rückerstattung zur Bestellung {order}",
                "Ich habe die beschädigte Ware aus Bestellung {order} bereits zurückgeschickt und "
                "die Rücksendung wurde laut Paketdienst zugestellt. Wann bekomme ich die {amount} "
                "zurücküberwiesen?",
            ),
            (
                "login",
                "Login funktioniert nicht",
                "Seit dem letzten Update kann ich mich nicht mehr in mein Kundenkonto einloggen. "
                "Es kommt immer die Meldung, dass mein Passwort falsch ist, obwohl ich es gerade "
                "erst zurückgesetzt habe. Was kann ich tun?",
            ),
            (
                "invoice",
                "Fehlerhafte Rechnung",
                "Auf der Rechnung zur Bestellung {order} steht leider eine falsche "
                "Firmenanschrift. Bitte schicken Sie uns eine korrigierte Rechnung, damit unsere "
                "Buchhaltung sie bezahlen kann.",
            ),
            (
                "cancel",
                "Kündigung meines Abos",
                "Hiermit möchte ich mein Abonnement zum nächstmöglichen Zeitpunkt kündigen. "
                "Bitte bestätigen Sie mir die Kündigung kurz per E-Mail.",
            ),
        ),
        followups=(
            "Gibt es hierzu schon etwas Neues? Ich habe noch keine Antwort bekommen.",
            "Ich warte immer noch auf eine Rückmeldung zu meiner Anfrage unten. Bitte melden Sie "
            "sich bei mir.",
            "Noch eine Ergänzung: Ich habe es heute Morgen noch einmal versucht, aber es hat sich "
            "nichts geändert.",
            "Könnte mich bitte jemand zurückrufen oder heute noch antworten? Es ist inzwischen "
            "dringend.",
        ),
        attach_note="Ich habe Ihnen das Dokument angehängt.",
        resend_note="Ich schicke den Anhang noch einmal, falls er beim ersten Mal nicht "
        "angekommen ist.",
        people=_latin_people(
            "Jürgen,Anja,Lukas,Sabine,Matthias,Katrin,Jörg,Lea,Björn,Ute",
            "Müller,Schäfer,Becker,Weiß,Krüger,Hoffmann,Schröder,Neumann",
        ),
        domains=(
            ("web-de.test", ""),
            ("gmx-de.test", ""),
            ("t-online.test", ""),
            ("gmail.test", ""),
            ("mueller-logistik.test", "Müller Logistik GmbH"),
            ("praxis-hoffmann.test", "Praxis Dr. Hoffmann"),
        ),
        utc_offsets=(60,),
        phone_prefix="+49 30",
        money="{whole},{cents} €",
        weekdays=_words("Mo. Di. Mi. Do. Fr. Sa. So."),
        months=_words("Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez."),
        long_date="{wd}, {d}. {mon} {y} um {hm}",
        short_date="{dd}.{mm}.{yy}",
        gmail_attr="Am {date} schrieb {name} <{addr}>:",
        short_attr="Am {date} um {hm} schrieb {name}:",
        labels=("Von", "Gesendet", "An", "Betreff"),
        reply_prefix="AW:",
        forward_prefix="WG:",
        original_separator="-----Ursprüngliche Nachricht-----",
        device="Von meinem iPhone gesendet",
        files=(
            "Rechnung_{order}.pdf",
            "Foto_Schäden.png",
            "Bestellübersicht.csv",
            "Bildschirmfoto {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="de-DE",
    ),
    _Lang(
        code="it",
        weight=8,
        greetings=("Buongiorno,", "Salve,", "Gentile assistenza,", "Ciao,"),
        signoffs=("Cordiali saluti", "Grazie mille", "Saluti", "Un saluto"),
        templates=(
            (
                "order",
                "Ordine {order} non ancora consegnato",
                "Ho effettuato l'ordine {order} più di dieci giorni fa ma non l'ho ancora "
                "ricevuto. Il tracciamento non si aggiorna da lunedì. Potete verificare dove si "
                "trova il pacco?",
            ),
            (
                "refund",
                "Richiesta di rimborso",
                "Il prodotto che ho ricevuto era danneggiato e l'ho rispedito indietro come mi "
                "avevate indicato. Vorrei sapere quando riceverò il rimborso di {amount}.",
            ),
            (
                "login",
                "Problema di accesso all'account",
                "Non riesco più ad accedere al mio account: dopo aver inserito la password la "
                "pagina si ricarica e basta. Ho già provato con un altro browser. Mi potete "
                "aiutare?",
            ),
            (
                "invoice",
                "Fattura ordine {order} da correggere",
                "Nella fattura dell'ordine {order} manca il codice fiscale della nostra azienda. "
                "Ci servirebbe una nuova fattura corretta al più presto, grazie.",
            ),
        ),
        followups=(
            "Ci sono novità? Non ho ancora ricevuto nessuna risposta.",
            "Vi scrivo di nuovo perché la mia richiesta qui sotto è ancora senza risposta.",
            "Aggiungo che ho riprovato stamattina, ma non è cambiato nulla.",
            "Qualcuno può richiamarmi o rispondermi oggi? Ormai è diventato urgente.",
        ),
        attach_note="Vi allego il documento in questione.",
        resend_note="Vi rimando l'allegato nel caso non fosse arrivato la prima volta.",
        people=_latin_people(
            "Giulia,Marco,Francesca,Luca,Chiara,Alessandro,Sara,Niccolò",
            "Rossi,Esposito,Bianchi,Romano,Colombo,Ricci,De Luca,Mancini",
        ),
        domains=(
            ("libero-it.test", ""),
            ("virgilio-it.test", ""),
            ("gmail.test", ""),
            ("studio-rossi.test", "Studio Rossi & Associati"),
            ("ferramenta-colombo.test", "Ferramenta Colombo S.r.l."),
        ),
        utc_offsets=(60,),
        phone_prefix="+39 02",
        money="{whole},{cents} €",
        weekdays=_words("lun mar mer gio ven sab dom"),
        months=_words("gen feb mar apr mag giu lug ago set ott nov dic"),
        long_date="{wd} {d} {mon} {y} alle ore {hm}",
        short_date="{dd}/{mm}/{y}",
        gmail_attr="Il giorno {date} {name} <{addr}> ha scritto:",
        short_attr="Il {date} {hm}, {name} ha scritto:",
        labels=("Da", "Inviato", "A", "Oggetto"),
        reply_prefix="R:",
        forward_prefix="I:",
        original_separator="-----Messaggio originale-----",
        device="Inviato da iPhone",
        files=(
            "fattura_{order}.pdf",
            "foto_danno.png",
            "riepilogo_ordini.csv",
            "Schermata {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="it-IT",
    ),
    _Lang(
        code="fr",
        weight=10,
        greetings=("Bonjour,", "Madame, Monsieur,", "Bonjour à toute l'équipe,"),
        signoffs=("Cordialement,", "Merci d'avance,", "Bien à vous,"),
        templates=(
            (
                "order",
                "Commande {order} non reçue",
                "J'ai passé la commande {order} il y a deux semaines et je ne l'ai toujours pas "
                "reçue. Le suivi indique que le colis est bloqué depuis plusieurs jours. "
                "Pouvez-vous vérifier auprès du transporteur ?",
            ),
            (
                "refund",
                "Demande de remboursement",
                "L'article que j'ai reçu était abîmé, je vous l'ai donc renvoyé la semaine "
                "dernière. Pourriez-vous me dire quand le remboursement de {amount} sera "
                "effectué ?",
            ),
            (
                "login",
                "Impossible de me connecter",
                "Depuis ce matin, je n'arrive plus à me connecter à mon espace client. Le "
                "message indique que mon compte est bloqué. Merci de m'aider à le débloquer.",
            ),
            (
                "invoice",
                "Erreur sur la facture {order}",
                "La facture de la commande {order} comporte une erreur dans l'adresse de "
                "facturation. Pourriez-vous m'envoyer une facture corrigée, s'il vous plaît ?",
            ),
        ),
        followups=(
            "Avez-vous du nouveau ? Je n'ai toujours pas eu de réponse.",
            "Je me permets de vous relancer car ma demande ci-dessous est restée sans réponse.",
            "Je précise que j'ai réessayé ce matin et que rien n'a changé.",
            "Quelqu'un peut-il me rappeler ou me répondre aujourd'hui ? Cela devient urgent.",
        ),
        attach_note="Vous trouverez le document en pièce jointe.",
        resend_note="Je vous renvoie la pièce jointe au cas où elle ne serait pas arrivée.",
        people=_latin_people(
            "François,Camille,Hélène,Julien,Amélie,Thomas,Léa,Jérôme",
            "Dubois,Lefèvre,Moreau,Laurent,Girard,Bonnet,Fontaine,Mercier",
        ),
        domains=(
            ("orange-fr.test", ""),
            ("free-fr.test", ""),
            ("laposte.test", ""),
            ("gmail.test", ""),
            ("boulangerie-moreau.test", "Boulangerie Moreau"),
            ("cabinet-girard.test", "Cabinet Girard"),
        ),
        utc_offsets=(60,),
        phone_prefix="+33 1",
        money="{whole},{cents} €",
        weekdays=_words("lun. mar. mer. jeu. ven. sam. dim."),
        months=_words("janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc."),
        long_date="{wd} {d} {mon} {y} à {hm}",
        short_date="{dd}/{mm}/{y}",
        gmail_attr="Le {date}, {name} <{addr}> a écrit :",
        short_attr="Le {date} à {hm}, {name} a écrit :",
        labels=("De", "Envoyé", "À", "Objet"),
        reply_prefix="RE :",
        forward_prefix="TR :",
        original_separator="-----Message d'origine-----",
        device="Envoyé de mon iPhone",
        files=(
            "facture_{order}.pdf",
            "photo_colis_abîmé.png",
            "récapitulatif_commandes.csv",
            "Capture d'écran {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="fr-FR",
    ),
    _Lang(
        code="es",
        weight=8,
        greetings=("Hola,", "Buenos días,", "Estimado equipo de Acme:"),
        signoffs=("Saludos,", "Un saludo,", "Muchas gracias,"),
        templates=(
            (
                "order",
                "Pedido {order} sin recibir",
                "Hice el pedido {order} hace casi dos semanas y todavía no ha llegado. El "
                "seguimiento no se actualiza desde el martes. ¿Podrían decirme qué ha pasado con "
                "el paquete?",
            ),
            (
                "refund",
                "Reembolso pendiente",
                "Devolví el producto defectuoso hace diez días y aún no he recibido el reembolso "
                "de {amount}. ¿Me pueden confirmar si ya lo han tramitado?",
            ),
            (
                "login",
                "No puedo entrar en mi cuenta",
                "Desde ayer no consigo iniciar sesión en mi cuenta. Cuando pido restablecer la "
                "contraseña no me llega ningún correo. ¿Me pueden ayudar, por favor?",
            ),
            (
                "invoice",
                "Factura incorrecta del pedido {order}",
                "En la factura del pedido {order} aparece mal el nombre de nuestra empresa. "
                "Necesitamos una factura corregida para poder pagarla. Muchas gracias.",
            ),
        ),
        followups=(
            "¿Hay alguna novedad? Todavía no he recibido respuesta.",
            "Les escribo otra vez porque nadie ha contestado a mi correo de abajo.",
            "Añado que lo he vuelto a intentar esta mañana y sigue todo igual.",
            "¿Alguien me puede llamar o contestar hoy? Empieza a ser urgente.",
        ),
        attach_note="Les adjunto el documento.",
        resend_note="Les vuelvo a enviar el archivo adjunto por si no les llegó la primera vez.",
        people=_latin_people(
            "José,María,Lucía,Javier,Andrés,Carmen,Sofía,Raúl",
            "García,Fernández,López,Martínez,Sánchez,Pérez,Gómez,Núñez",
        ),
        domains=(
            ("telefonica-es.test", ""),
            ("hotmail.test", ""),
            ("gmail.test", ""),
            ("talleres-garcia.test", "Talleres García S.L."),
        ),
        utc_offsets=(60, 60, -300, -180),
        phone_prefix="+34 91",
        money="{whole},{cents} €",
        weekdays=_words("lun mar mié jue vie sáb dom"),
        months=_words("ene feb mar abr may jun jul ago sept oct nov dic"),
        long_date="{wd}, {d} {mon} {y} a las {hm}",
        short_date="{dd}/{mm}/{y}",
        gmail_attr="El {date}, {name} (<{addr}>) escribió:",
        short_attr="El {date} a las {hm}, {name} escribió:",
        labels=("De", "Enviado el", "Para", "Asunto"),
        reply_prefix="RE:",
        forward_prefix="RV:",
        original_separator="-----Mensaje original-----",
        device="Enviado desde mi iPhone",
        files=(
            "factura_{order}.pdf",
            "foto_daño.png",
            "resumen_pedidos.csv",
            "Captura de pantalla {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="es-ES",
    ),
    _Lang(
        code="pt",
        weight=7,
        greetings=("Olá,", "Bom dia,", "Prezados,"),
        signoffs=("Obrigado,", "Atenciosamente,", "Abraços,"),
        templates=(
            (
                "order",
                "Pedido {order} não chegou",
                "Fiz o pedido {order} há mais de dez dias e até agora não recebi nada. O "
                "rastreamento mostra que o pacote está parado há uma semana. Vocês podem "
                "verificar o que aconteceu?",
            ),
            (
                "refund",
                "Reembolso do pedido {order}",
                "Devolvi o produto que veio com defeito e ainda não recebi o reembolso de "
                "{amount}. Gostaria de saber quando o valor vai ser estornado no meu cartão.",
            ),
            (
                "login",
                "Não consigo acessar minha conta",
                "Não estou conseguindo entrar na minha conta desde ontem. Já tentei redefinir a "
                "senha, mas o e-mail de recuperação não chega. Podem me ajudar?",
            ),
            (
                "invoice",
                "Nota fiscal com erro",
                "A nota fiscal do pedido {order} saiu com o CNPJ errado. Preciso de uma nota "
                "corrigida para enviar ao nosso departamento financeiro.",
            ),
        ),
        followups=(
            "Alguma novidade? Ainda não recebi nenhuma resposta de vocês.",
            "Estou escrevendo de novo porque ninguém respondeu o meu e-mail abaixo.",
            "Só para complementar: tentei de novo hoje de manhã e continua tudo igual.",
            "Alguém pode me ligar ou responder ainda hoje? Já está ficando urgente.",
        ),
        attach_note="Segue o documento em anexo.",
        resend_note="Estou reenviando o anexo caso ele não tenha chegado da primeira vez.",
        people=_latin_people(
            "João,Ana,Gonçalo,Mariana,Luís,Beatriz,Thiago,Conceição",
            "Silva,Santos,Oliveira,Pereira,Araújo,Gonçalves,Rodrigues,Magalhães",
        ),
        domains=(
            ("uol-br.test", ""),
            ("bol-br.test", ""),
            ("sapo-pt.test", ""),
            ("gmail.test", ""),
            ("padaria-silva.test", "Padaria Silva Ltda."),
        ),
        utc_offsets=(-180, -180, 0),
        phone_prefix="+55 11",
        money="R$ {whole},{cents}",
        weekdays=_words("seg. ter. qua. qui. sex. sáb. dom."),
        months=_words("jan. fev. mar. abr. mai. jun. jul. ago. set. out. nov. dez."),
        long_date="{wd}, {d} de {mon} de {y} às {hm}",
        short_date="{dd}/{mm}/{y}",
        gmail_attr="Em {date}, {name} <{addr}> escreveu:",
        short_attr="Em {date} {hm}, {name} escreveu:",
        labels=("De", "Enviado", "Para", "Assunto"),
        reply_prefix="RES:",
        forward_prefix="ENC:",
        original_separator="-----Mensagem original-----",
        device="Enviado do meu iPhone",
        files=(
            "nota_fiscal_{order}.pdf",
            "foto_avaria.png",
            "relatório_pedidos.csv",
            "Captura de tela {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="pt-BR",
    ),
    _Lang(
        code="nl",
        weight=6,
        greetings=("Hallo,", "Beste klantenservice,", "Goedemiddag,"),
        signoffs=("Met vriendelijke groet,", "Groetjes,", "Alvast bedankt,"),
        templates=(
            (
                "order",
                "Bestelling {order} niet ontvangen",
                "Ik heb twee weken geleden bestelling {order} geplaatst, maar ik heb nog steeds "
                "niets ontvangen. Volgens de track-and-trace ligt het pakket al dagen stil. "
                "Kunnen jullie uitzoeken waar het is?",
            ),
            (
                "refund",
                "Terugbetaling",
                "Ik heb het beschadigde artikel vorige week teruggestuurd, maar het bedrag van "
                "{amount} is nog niet teruggestort. Wanneer kan ik de terugbetaling verwachten?",
            ),
            (
                "login",
                "Kan niet inloggen",
                "Sinds gisteren kan ik niet meer inloggen op mijn account. Ik krijg steeds de "
                "melding dat mijn wachtwoord onjuist is, terwijl ik het net heb gewijzigd. Wat "
                "moet ik doen?",
            ),
            (
                "invoice",
                "Factuur {order} klopt niet",
                "Op de factuur van bestelling {order} staat een verkeerd adres. Kunnen jullie een "
                "nieuwe factuur sturen met het juiste adres? Onze administratie heeft die nodig.",
            ),
        ),
        followups=(
            "Is er al nieuws? Ik heb nog steeds geen antwoord gekregen.",
            "Ik stuur deze mail opnieuw omdat niemand op mijn vraag hieronder heeft gereageerd.",
            "Nog een aanvulling: ik heb het vanochtend opnieuw geprobeerd, maar er is niets "
            "veranderd.",
            "Kan iemand mij terugbellen of vandaag nog antwoorden? Het wordt inmiddels dringend.",
        ),
        attach_note="Ik heb het document als bijlage toegevoegd.",
        resend_note="Ik stuur de bijlage nog een keer, voor het geval die de eerste keer niet is "
        "aangekomen.",
        people=_latin_people(
            "Daan,Sanne,Bram,Eline,Joost,Femke,Thijs,Anouk",
            "de Vries,Jansen,van Dijk,Bakker,Visser,Smit,van den Berg,Mulder",
        ),
        domains=(
            ("ziggo-nl.test", ""),
            ("kpnmail.test", ""),
            ("gmail.test", ""),
            ("bakkerij-visser.test", "Bakkerij Visser B.V."),
        ),
        utc_offsets=(60,),
        phone_prefix="+31 20",
        money="€ {whole},{cents}",
        weekdays=_words("ma di wo do vr za zo"),
        months=_words("jan feb mrt apr mei jun jul aug sep okt nov dec"),
        long_date="{wd} {d} {mon} {y} om {hm}",
        short_date="{d}-{m}-{y}",
        gmail_attr="Op {date} schreef {name} <{addr}>:",
        short_attr="Op {date} om {hm} schreef {name}:",
        labels=("Van", "Verzonden", "Aan", "Onderwerp"),
        reply_prefix="RE:",
        forward_prefix="FW:",
        original_separator="-----Oorspronkelijk bericht-----",
        device="Verstuurd vanaf mijn iPhone",
        files=(
            "factuur_{order}.pdf",
            "foto_schade.png",
            "overzicht_bestellingen.csv",
            "Schermafbeelding {date}.png",
        ),
        legacy_charsets=_WESTERN,
        content_language="nl-NL",
    ),
    _Lang(
        code="pl",
        weight=5,
        greetings=("Dzień dobry,", "Witam,", "Szanowni Państwo,"),
        signoffs=("Pozdrawiam,", "Z poważaniem,", "Dziękuję,"),
        templates=(
            (
                "order",
                "Zamówienie {order} nie dotarło",
                "Złożyłem zamówienie {order} dwa tygodnie temu i nadal nie dostałem przesyłki. "
                "Według śledzenia paczka od kilku dni stoi w sortowni. Czy możecie sprawdzić, co "
                "się dzieje?",
            ),
            (
                "refund",
                "Zwrot pieniędzy",
                "Odesłałam uszkodzony towar w zeszłym tygodniu, ale zwrot w wysokości {amount} "
                "jeszcze nie wpłynął na moje konto. Kiedy mogę się go spodziewać?",
            ),
            (
                "login",
                "Problem z logowaniem",
                "Od wczoraj nie mogę zalogować się na swoje konto. Wiadomość do resetowania "
                "hasła w ogóle nie przychodzi. Bardzo proszę o pomoc.",
            ),
            (
                "invoice",
                "Błąd na fakturze {order}",
                "Na fakturze do zamówienia {order} jest błędny numer NIP naszej firmy. Proszę o "
                "wystawienie korekty faktury, żeby księgowość mogła ją zaksięgować.",
            ),
        ),
        followups=(
            "Czy jest coś nowego w tej sprawie? Nadal nie otrzymałem odpowiedzi.",
            "Piszę ponownie, ponieważ nikt nie odpowiedział na moją wiadomość poniżej.",
            "Dodam jeszcze, że dziś rano spróbowałem ponownie i nic się nie zmieniło.",
            "Czy ktoś może do mnie oddzwonić albo odpisać jeszcze dziś? Sprawa robi się pilna.",
        ),
        attach_note="W załączniku przesyłam dokument.",
        resend_note="Przesyłam załącznik jeszcze raz, na wypadek gdyby za pierwszym razem nie "
        "dotarł.",
        people=_latin_people(
            "Łukasz,Agnieszka,Paweł,Małgorzata,Krzysztof,Joanna,Michał,Zofia",
            "Nowak,Wójcik,Kowalczyk,Mazur,Krawczyk,Zając,Król,Wróbel",
        ),
        domains=(
            ("wp-pl.test", ""),
            ("onet-pl.test", ""),
            ("interia-pl.test", ""),
            ("gmail.test", ""),
            ("hurtownia-nowak.test", "Hurtownia Nowak sp. z o.o."),
        ),
        utc_offsets=(60,),
        phone_prefix="+48 22",
        money="{whole},{cents} zł",
        weekdays=_words("pon. wt. śr. czw. pt. sob. niedz."),
        months=_words("sty lut mar kwi maj cze lip sie wrz paź lis gru"),
        long_date="{wd}, {d} {mon} {y} o {hm}",
        short_date="{d}.{mm}.{y}",
        gmail_attr="{date} {name} <{addr}> napisał(a):",
        short_attr="W dniu {date} o {hm}, {name} pisze:",
        labels=("Od", "Wysłano", "Do", "Temat"),
        reply_prefix="Odp:",
        forward_prefix="PD:",
        original_separator="-----Wiadomość oryginalna-----",
        device="Wysłane z iPhone'a",
        files=(
            "faktura_{order}.pdf",
            "zdjęcie_uszkodzenia.png",
            "zestawienie_zamówień.csv",
            "Zrzut ekranu {date}.png",
        ),
        legacy_charsets=("iso-8859-2",),
        content_language="pl-PL",
    ),
    _Lang(
        code="ru",
        weight=5,
        greetings=("Здравствуйте!", "Добрый день.", "Добрый день!"),
        signoffs=("С уважением,", "Спасибо,", "Заранее спасибо,"),
        templates=(
            (
                "order",
                "Заказ {order} не доставлен",
                "Я оформил заказ {order} две недели назад, но до сих пор его не получил. По "
                "отслеживанию посылка уже несколько дней находится на сортировочном пункте. "
                "Проверьте, пожалуйста, что с ней.",
            ),
            (
                "refund",
                "Возврат денег",
                "Я отправила обратно повреждённый товар на прошлой неделе, но деньги в размере "
                "{amount} так и не вернулись на карту. Подскажите, когда ждать возврат?",
            ),
            (
                "login",
                "Не могу войти в аккаунт",
                "Со вчерашнего дня не могу войти в личный кабинет. Письмо для сброса пароля не "
                "приходит, даже в папке спам его нет. Помогите, пожалуйста.",
            ),
            (
                "invoice",
                "Ошибка в счёте по заказу {order}",
                "В счёте по заказу {order} указаны неверные реквизиты нашей компании. Пришлите, "
                "пожалуйста, исправленный счёт, чтобы бухгалтерия могла его оплатить.",
            ),
        ),
        followups=(
            "Есть какие-нибудь новости? Я до сих пор не получил ответа.",
            "Пишу повторно, потому что на моё письмо ниже так никто и не ответил.",
            "Добавлю, что сегодня утром попробовал ещё раз, но ничего не изменилось.",
            "Перезвоните мне, пожалуйста, или ответьте сегодня. Вопрос уже срочный.",
        ),
        attach_note="Документ прикладываю к письму.",
        resend_note="Отправляю вложение ещё раз на случай, если в первый раз оно не дошло.",
        people=(
            ("Иван Петров", "Иван", "ivan.petrov"),
            ("Анна Смирнова", "Анна", "anna.smirnova"),
            ("Дмитрий Соколов", "Дмитрий", "d.sokolov"),
            ("Ольга Кузнецова", "Ольга", "olga.kuznetsova"),
            ("Сергей Попов", "Сергей", "sergey.popov"),
            ("Елена Волкова", "Елена", "e.volkova"),
            ("Алексей Морозов", "Алексей", "alexey.morozov"),
            ("Наталья Павлова", "Наталья", "natalia.pavlova"),
        ),
        domains=(
            ("yandex-ru.test", ""),
            ("mail-ru.test", ""),
            ("rambler-ru.test", ""),
            ("stroymaterialy.test", 'ООО "Стройматериалы"'),
        ),
        utc_offsets=(180, 180, 300),
        phone_prefix="+7 495",
        money="{whole} руб.",
        weekdays=_words("пн вт ср чт пт сб вс"),
        months=_words("янв. февр. мар. апр. мая июн. июл. авг. сент. окт. нояб. дек."),
        long_date="{wd}, {d} {mon} {y} г. в {hm}",
        short_date="{dd}.{mm}.{y}",
        gmail_attr="{date}, {name} <{addr}>:",
        short_attr="{date} {hm}, {name} пишет:",
        labels=("От", "Отправлено", "Кому", "Тема"),
        reply_prefix="RE:",
        forward_prefix="FW:",
        original_separator="-----Исходное сообщение-----",
        device="Отправлено с iPhone",
        files=(
            "счёт_{order}.pdf",
            "фото_повреждения.png",
            "выгрузка_заказов.csv",
            "Снимок экрана {date}.png",
        ),
        legacy_charsets=("koi8-r", "windows-1251"),
        content_language="ru-RU",
    ),
    _Lang(
        code="zh-cn",
        weight=4,
        greetings=("您好，", "你好，", "客服您好，"),
        signoffs=("谢谢！", "麻烦了，谢谢。", "期待您的回复。"),
        templates=(
            (
                "order",
                "订单{order}还没有收到",
                "我两个星期前下的订单{order}到现在还没有收到。物流信息已经好几天没有更新了，"
                "请帮我查一下包裹在哪里。",
            ),
            (
                "refund",
                "退款问题",
                "收到的商品有破损，我上周已经寄回去了，但是{amount}的退款还没有到账。"
                "请问什么时候可以退款？",
            ),
            (
                "login",
                "无法登录账户",
                "从昨天开始我就登录不了我的账户，重置密码的邮件也一直收不到。"
                "麻烦你们帮我处理一下，谢谢。",
            ),
            (
                "invoice",
                "发票信息有误",
                "订单{order}的发票上公司名称写错了，我们财务需要一张正确的发票才能付款。"
                "请尽快重新开一张发票。",
            ),
        ),
        followups=(
            "请问有什么进展吗？我还没有收到任何回复。",
            "我再发一次邮件，因为下面的问题一直没有人回复。",
            "补充一下，我今天早上又试了一次，还是一样的情况。",
            "能不能今天给我回个电话或者回复邮件？这件事已经很急了。",
        ),
        attach_note="附件是相关的文件，请查收。",
        resend_note="我再把附件发一次，以防第一次没有收到。",
        people=(
            ("王芳", "芳", "wang.fang"),
            ("李伟", "伟", "liwei"),
            ("张丽", "丽", "zhang.li"),
            ("刘洋", "洋", "liuyang"),
            ("陈静", "静", "chen.jing"),
            ("杨磊", "磊", "yang.lei"),
            ("赵敏", "敏", "zhaomin"),
            ("黄勇", "勇", "huang.yong"),
        ),
        domains=(
            ("qq-cn.test", ""),
            ("163-cn.test", ""),
            ("sina-cn.test", ""),
            ("huaxin-trade.test", "华信贸易有限公司"),
        ),
        utc_offsets=(480,),
        phone_prefix="+86 21",
        money="{whole}元",
        weekdays=_words("周一 周二 周三 周四 周五 周六 周日"),
        months=tuple(f"{m}月" for m in range(1, 13)),
        long_date="{y}年{m}月{d}日{wd} {hm}",
        short_date="{y}/{mm}/{dd}",
        gmail_attr="{name} <{addr}> 于{date}写道：",
        short_attr="在 {date} {hm}, {name} 写道:",
        labels=("发件人", "发送时间", "收件人", "主题"),
        reply_prefix="答复:",
        forward_prefix="转发:",
        original_separator="-----原始邮件-----",
        device="发自我的iPhone",
        files=("发票_{order}.pdf", "破损照片.png", "订单明细.csv", "屏幕截图 {date}.png"),
        legacy_charsets=("gb2312", "gb18030"),
        content_language="zh-CN",
    ),
    _Lang(
        code="ja",
        weight=3,
        greetings=("お世話になっております。", "こんにちは。", "カスタマーサポート御中"),
        signoffs=(
            "よろしくお願いいたします。",
            "何卒よろしくお願い申し上げます。",
            "以上、よろしくお願いします。",
        ),
        templates=(
            (
                "order",
                "注文{order}の商品が届きません",
                "二週間前に注文した{order}の商品がまだ届いていません。配送状況を確認すると、"
                "数日前から同じ状態のままです。お手数ですが、ご確認いただけますでしょうか。",
            ),
            (
                "refund",
                "返金について",
                "届いた商品に傷があったため、先週返品いたしました。{amount}の返金がまだ"
                "確認できないのですが、いつ頃になりますでしょうか。",
            ),
            (
                "login",
                "ログインできません",
                "昨日からアカウントにログインできなくなりました。パスワードの再設定メールも"
                "届きません。対応方法を教えていただけますか。",
            ),
            (
                "invoice",
                "請求書の宛名について",
                "注文{order}の請求書の宛名が間違っておりました。正しい会社名で請求書を"
                "再発行していただけないでしょうか。",
            ),
        ),
        followups=(
            "その後の状況はいかがでしょうか。まだお返事をいただいておりません。",
            "下記のメールにご返信がないため、再度ご連絡いたしました。",
            "補足ですが、今朝もう一度試してみましたが、状況は変わっていません。",
            "本日中にお電話かメールでご連絡いただけますでしょうか。急ぎの件となっております。",
        ),
        attach_note="関連する書類を添付いたしますので、ご確認ください。",
        resend_note="念のため、添付ファイルを再送いたします。",
        people=(
            ("佐藤 健", "健", "ken.sato"),
            ("鈴木 花子", "花子", "hanako.suzuki"),
            ("高橋 誠", "誠", "m.takahashi"),
            ("田中 美咲", "美咲", "misaki.tanaka"),
            ("伊藤 大輔", "大輔", "daisuke.ito"),
            ("渡辺 由美", "由美", "yumi.watanabe"),
            ("山本 翔", "翔", "sho.yamamoto"),
            ("中村 恵", "恵", "megumi.nakamura"),
        ),
        domains=(
            ("yahoo-jp.test", ""),
            ("docomo-jp.test", ""),
            ("nifty-jp.test", ""),
            ("gmail.test", ""),
            ("yamada-shoji.test", "山田商事株式会社"),
        ),
        utc_offsets=(540,),
        phone_prefix="+81 3",
        money="{whole}円",
        weekdays=_words("月 火 水 木 金 土 日"),
        months=tuple(f"{m}月" for m in range(1, 13)),
        long_date="{y}年{m}月{d}日({wd}) {hm}",
        short_date="{y}/{mm}/{dd}",
        gmail_attr="{date} {name} <{addr}>:",
        short_attr="On {date} {hm}, {name} wrote:",
        labels=("差出人", "送信日時", "宛先", "件名"),
        reply_prefix="RE:",
        forward_prefix="FW:",
        original_separator="-----Original Message-----",
        device="iPhoneから送信",
        files=(
            "請求書_{order}.pdf",
            "破損写真.png",
            "注文一覧.csv",
            "スクリーンショット {date}.png",
        ),
        legacy_charsets=("iso-2022-jp", "shift_jis"),
        content_language="ja-JP",
    ),
)
_LANG_WEIGHTS = [lang.weight for lang in _LANG_LIST]

# Charsets tried, in order, when a text does not fit the customer's usual one (a "€" in a
# Latin-1 mail, a rare hanzi outside GB 2312): what real clients do when they upgrade.
_FALLBACK = {
    "iso-8859-1": "windows-1252",
    "windows-1252": "utf-8",
    "iso-8859-2": "utf-8",
    "koi8-r": "windows-1251",
    "windows-1251": "utf-8",
    "gb2312": "gb18030",
    "gb18030": "utf-8",
    "iso-2022-jp": "shift_jis",
    "shift_jis": "utf-8",
}

# Some clients mark replies with prefixes from another locale than the text's.
_FOREIGN_REPLY_PREFIXES = ("SV:", "Re:", "AW:", "R:", "Antw:")
_FOREIGN_FORWARD_PREFIXES = ("Fwd:", "WG:", "TR:", "Fw:")


# =========================================================================== clients

_CLIENTS = ("gmail", "outlook", "apple", "thunderbird", "webmail")
_CLIENT_WEIGHTS = (35, 25, 15, 10, 15)
# Share of each client's users who still send in their locale's legacy charset.
_LEGACY_SHARE = {"gmail": 0.03, "outlook": 0.45, "apple": 0.03, "thunderbird": 0.3, "webmail": 0.5}

_OUTLOOK_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" \
xmlns:o="urn:schemas-microsoft-com:office:office" \
xmlns:w="urn:schemas-microsoft-com:office:word" \
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" \
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face
\t{{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}}
@font-face
\t{{font-family:Calibri;
\tpanose-1:2 15 5 2 2 2 4 3 2 4;}}
@font-face
\t{{font-family:Aptos;}}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Aptos",sans-serif;
\tmso-ligatures:standardcontextual;
\tmso-fareast-language:EN-US;}}
a:link, span.MsoHyperlink
\t{{mso-style-priority:99;
\tcolor:#467886;
\ttext-decoration:underline;}}
span.EmailStyle17
\t{{mso-style-type:personal-compose;
\tfont-family:"Aptos",sans-serif;
\tcolor:windowtext;}}
span.EmailStyle18
\t{{mso-style-type:personal-reply;
\tfont-family:"Aptos",sans-serif;
\tcolor:windowtext;}}
.MsoChpDefault
\t{{mso-style-type:export-only;
\tfont-size:10.0pt;
\tmso-ligatures:none;
\tmso-fareast-language:EN-US;}}
@page WordSection1
\t{{size:612.0pt 792.0pt;
\tmargin:70.85pt 70.85pt 2.0cm 70.85pt;}}
div.WordSection1
\t{{page:WordSection1;}}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->
</head>
<body lang="{lang}" link="#467886" vlink="#96607D" style="word-wrap:break-word">
<div class="WordSection1">
"""


# =========================================================================== encoding helpers

_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _q_encode(data: bytes) -> str:
    return "".join("_" if b == 0x20 else chr(b) if b in _Q_SAFE else f"={b:02X}" for b in data)


def _encoded_words(text: str, charset: str, mode: str) -> list[str]:
    """RFC 2047 words of at most 75 characters that never split a multi-byte character."""
    label = charset.upper() if charset.startswith("iso-2022") else charset
    prefix = f"=?{label}?{mode}?"
    budget = 75 - len(prefix) - 2

    def size(chunk: str) -> int:
        data = chunk.encode(charset)
        return -(-len(data) // 3) * 4 if mode == "B" else len(_q_encode(data))

    def word(chunk: str) -> str:
        data = chunk.encode(charset)
        body = base64.b64encode(data).decode("ascii") if mode == "B" else _q_encode(data)
        return f"{prefix}{body}?="

    words: list[str] = []
    chunk = ""
    for ch in text:
        if chunk and size(chunk + ch) > budget:
            words.append(word(chunk))
            chunk = ch
        else:
            chunk += ch
    if chunk:
        words.append(word(chunk))
    return words


def _encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _header_text(text: str, charset: str, mode: str) -> str:
    if text.isascii():
        return text
    if not _encodable(text, charset):
        charset = "utf-8"
    return "\n ".join(_encoded_words(text, charset, mode))


_ADDR_SPECIALS = frozenset(',.;:@<>()[]"\\')


def _mailbox(name: str, address: str, charset: str, mode: str) -> str:
    if not name:
        return f"<{address}>"
    if name.isascii():
        if _ADDR_SPECIALS.intersection(name):
            escaped = name.replace("\\", "\\\\").replace('"', '\\"')
            return f'"{escaped}" <{address}>'
        return f"{name} <{address}>"
    return f"{_header_text(name, charset, mode)} <{address}>"


def _rfc2231_filename(name: str, continuation: bool) -> str:
    encoded = quote(name.encode("utf-8"), safe="")
    if not continuation or len(encoded) <= 60:
        return f"filename*=utf-8''{encoded}"
    segments: list[str] = []
    rest = encoded
    while rest:
        cut = min(60, len(rest))
        # Never split a %XX escape across two parameter sections.
        while 0 < cut < len(rest) and "%" in rest[max(0, cut - 2) : cut]:
            cut -= 1
        segments.append(rest[:cut])
        rest = rest[cut:]
    parts = [f"filename*0*=utf-8''{segments[0]}"]
    parts += [f"filename*{i}*={seg}" for i, seg in enumerate(segments[1:], start=1)]
    return ";\n ".join(parts)


def _encode_body(text: str, charset: str, cte: str) -> bytes:
    data = text.encode(charset)
    if cte == "quoted-printable":
        return binascii.b2a_qp(data, istext=True)
    if cte == "base64":
        return base64.encodebytes(data)
    return data


def _leaf(headers: list[str], payload: bytes) -> bytes:
    return ("\n".join(headers) + "\n\n").encode("ascii") + payload


def _multipart(subtype: str, boundary: str, parts: list[bytes], preamble: str = "") -> bytes:
    out = [f'Content-Type: multipart/{subtype};\n boundary="{boundary}"\n\n'.encode("ascii")]
    if preamble:
        out.append(preamble.encode("ascii") + b"\n\n")
    for part in parts:
        out.append(f"--{boundary}\n".encode("ascii"))
        out.append(part if part.endswith(b"\n") else part + b"\n")
    out.append(f"--{boundary}--\n".encode("ascii"))
    return b"".join(out)


def _wrap(text: str, width: int = 70) -> str:
    """Hard-wrap base64 signatures the way MTAs fold DKIM/ARC headers."""
    return "\n\t ".join(text[i : i + width] for i in range(0, len(text), width))


# =========================================================================== attachments


def _png(rng: random.Random, width: int, height: int, noise: bool = True) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    if noise:
        # Photos: noisy pixels barely compress, like real camera images.
        raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    else:
        # Logos and screenshots: flat colour bands with a little detail.
        colours = [rng.randbytes(3) for _ in range(4)]
        rows = []
        for y in range(height):
            band = colours[(y * len(colours)) // height] * width
            rows.append(b"\x00" + band[: width * 3 - 6] + rng.randbytes(6))
        raw = b"".join(rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _pdf(rng: random.Random, title: str, lines: list[str]) -> bytes:
    def pdf_string(text: str) -> str:
        ascii_text = text.encode("ascii", "replace").decode("ascii")
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 16 Tf", "56 780 Td", f"({pdf_string(title)}) Tj", "/F1 10 Tf"]
    for line in lines:
        ops += ["0 -16 Td", f"({pdf_string(line)}) Tj"]
    ops.append("ET")
    content = zlib.compress("\n".join(ops).encode("ascii"))
    logo_w, logo_h = rng.randint(24, 48), rng.randint(12, 32)
    logo = zlib.compress(rng.randbytes(logo_w * logo_h * 3), 1)
    stamp = f"D:2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}101500Z"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (logo_w, logo_h, len(logo))
        + logo
        + b"\nendstream",
        f"<< /Producer (Acme Billing 4.2) /CreationDate ({stamp}) >>".encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _csv(rng: random.Random, order: str) -> bytes:
    rows = ["order_id;date;sku;description;qty;unit_price;total"]
    items = ("Kettle 1.7l", "Desk lamp", "USB-C cable 2m", "Coffee grinder", "Toaster", "Mug set")
    for _ in range(rng.randint(15, 90)):
        qty = rng.randint(1, 12)
        price = rng.randint(299, 14999)
        rows.append(
            f"{order};2025-12-{rng.randint(1, 31):02d};SKU-{rng.randint(10000, 99999)};"
            f"{rng.choice(items)};{qty};{price / 100:.2f};{qty * price / 100:.2f}"
        )
    text = "\r\n".join(rows) + "\r\n"
    # Excel exports carry a BOM; hand-written exports do not.
    return ("\ufeff" + text).encode("utf-8") if rng.random() < 0.5 else text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class _Attachment:
    filename: str
    content_type: str
    data: bytes


# =========================================================================== planning


@dataclass(frozen=True, slots=True)
class _Customer:
    index: int
    lang: _Lang
    name: str
    first: str
    address: str
    domain: str
    company: str
    client: str
    charset: str
    tz: timezone
    phone: str


@dataclass(slots=True)
class _Thread:
    index: int
    key: str
    customer: _Customer
    template: tuple[str, str, str]
    order: str
    amount: str
    # Per reply (index 1..): "full" (In-Reply-To + References), "refs" or "none".
    kinds: list[str]
    times: list[int]
    # Rendering state: the previous message of the thread.
    last: _Sent | None = None
    attachments: list[_Attachment] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Sent:
    message_id: str
    subject: str
    when: datetime
    plain: str
    html: str


_LENGTHS = (1, 2, 3, 4, 5, 6)
_LENGTH_WEIGHTS = (40, 25, 15, 10, 6, 4)


def _make_customer(seed: int, index: int) -> _Customer:
    rng = random.Random(f"{seed}/customer/{index}")
    lang = rng.choices(_LANG_LIST, weights=_LANG_WEIGHTS)[0]
    display, first, local = rng.choice(lang.people)
    domain, company = rng.choice(lang.domains)
    style = rng.random()
    if style < 0.2:
        local = local.replace(".", "")
    elif style < 0.35:
        local = f"{local}{rng.randint(1, 99)}"
    elif style < 0.45 and "." in local:
        head, _, tail = local.partition(".")
        local = f"{head[0]}.{tail}"
    client = rng.choices(_CLIENTS, weights=_CLIENT_WEIGHTS)[0]
    # CJK and Cyrillic mailers hold on to their national charsets longer than Western ones.
    legacy = _LEGACY_SHARE[client] * (1.6 if lang.code in ("ja", "zh-cn", "ru") else 1.0)
    charset = rng.choice(lang.legacy_charsets) if rng.random() < legacy else "utf-8"
    if lang.code == "ja" and client in ("gmail", "apple") and charset == "shift_jis":
        charset = "iso-2022-jp"
    offset = rng.choice(lang.utc_offsets)
    phone = f"{lang.phone_prefix} {rng.randint(1000000, 9999999)}"
    return _Customer(
        index=index,
        lang=lang,
        name=display,
        first=first,
        address=f"{local}@{domain}",
        domain=domain,
        company=company,
        client=client,
        charset=charset,
        tz=timezone(timedelta(minutes=offset)),
        phone=phone,
    )


def _arrival_gap(rng: random.Random, when: datetime) -> int:
    hour = when.hour
    if 7 <= hour < 17:
        mean = 6 * 60
    elif 5 <= hour < 7 or 17 <= hour < 22:
        mean = 20 * 60
    else:
        mean = 60 * 60
    if when.weekday() >= 5:
        mean *= 3
    return max(5, int(rng.expovariate(1.0 / mean)))


def _plan_thread(
    seed: int, index: int, customer: _Customer, start: int, avoid: Sequence[object] = ()
) -> _Thread:
    rng = random.Random(f"{seed}/thread/{index}")
    lang = customer.lang
    length = rng.choices(_LENGTHS, weights=_LENGTH_WEIGHTS)[0]
    kinds = ["first"]
    times = [start]
    for _ in range(1, length):
        roll = rng.random()
        kind = "full" if roll < 0.7 else "refs" if roll < 0.8 else "none"
        hours = min(240.0, max(0.2, rng.lognormvariate(log(6.0), 1.1)))
        if kind == "none":
            hours = min(hours, 96.0)
        kinds.append(kind)
        times.append(times[-1] + int(hours * 3600) + rng.randint(0, 59))
    whole = rng.randint(9, 480)
    if lang.code in ("ru", "ja"):
        whole *= 100 if lang.code == "ru" else 150
    elif lang.code == "zh-cn":
        whole *= 7
    amount = lang.money.format(
        whole=f"{whole:,}".replace(",", " "), cents=f"{rng.randint(0, 99):02d}"
    )
    return _Thread(
        index=index,
        key=f"T{index:06d}",
        customer=customer,
        # A returning customer writes about something new: two open threads with one subject
        # from one sender, one of them answered without threading headers, cannot be told
        # apart by anyone, so the corpus does not make them.
        template=rng.choice([t for t in lang.templates if t not in avoid] or lang.templates),
        order=f"AC-{rng.randint(100000, 999999)}",
        amount=amount,
        kinds=kinds,
        times=times,
    )


def _plan(n: int, seed: int, start: datetime) -> tuple[list[tuple[int, int, int]], list[_Thread]]:
    """Threads and the first ``n`` (time, thread, position) events in time order.

    Threads are added until the next one would start after the n-th event, so the first n
    events do not depend on n: a smaller corpus is a prefix of a bigger one.
    """
    rng = random.Random(f"{seed}/plan")
    customers: list[_Customer] = []
    threads: list[_Thread] = []
    events: list[tuple[int, int, int]] = []
    offset = 0
    ordered = False
    while True:
        if len(events) >= n:
            if not ordered:
                events.sort()
                ordered = True
            if offset > events[n - 1][0]:
                break
        if customers and rng.random() < 0.22:
            customer = rng.choice(customers)
        else:
            customer = _make_customer(seed, len(customers))
            customers.append(customer)
        used = [t.template for t in threads if t.customer is customer]
        thread = _plan_thread(seed, len(threads), customer, offset, used)
        threads.append(thread)
        for pos, when in enumerate(thread.times):
            if ordered:
                bisect.insort(events, (when, thread.index, pos))
            else:
                events.append((when, thread.index, pos))
        offset += _arrival_gap(rng, start + timedelta(seconds=offset))
    return events[:n], threads


# =========================================================================== rendering


def _dates(lang: _Lang, when: datetime) -> tuple[str, str, str]:
    """(long date, short date, HH:MM) in the customer's locale and timezone."""
    hm = f"{when.hour:02d}:{when.minute:02d}"
    if lang.code == "en":
        hour12 = when.hour % 12 or 12
        hm_long = f"{hour12}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"
    else:
        hm_long = hm
    values = {
        "wd": lang.weekdays[when.weekday()],
        "d": str(when.day),
        "dd": f"{when.day:02d}",
        "m": str(when.month),
        "mm": f"{when.month:02d}",
        "mon": lang.months[when.month - 1],
        "y": str(when.year),
        "yy": f"{when.year % 100:02d}",
    }
    return (
        lang.long_date.format(hm=hm_long, **values),
        lang.short_date.format(**values),
        hm,
    )


def _paragraphs(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.strip()]


def _html_fragment(client: str, text: str) -> str:
    out = []
    for block in _paragraphs(text):
        lines = [html.escape(line) for line in block.split("\n")]
        if client == "outlook":
            out.append(
                "\n".join(f'<p class="MsoNormal">{line}<o:p></o:p></p>' for line in lines)
                + '\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
            )
        elif client == "gmail":
            out.append("\n".join(f"<div>{line}</div>" for line in lines) + "\n<div><br></div>")
        elif client == "apple":
            out.append("\n".join(f'<div dir="ltr">{line}</div>' for line in lines) + "\n<br>")
        elif client == "thunderbird":
            out.append("<p>" + "<br>\n".join(lines) + "</p>")
        else:
            out.append(
                '<div style="font-family: Arial, Helvetica; font-size: 10pt;">'
                + "<br>\n".join(lines)
                + "</div><br>"
            )
    return "\n".join(out)


def _html_document(client: str, customer: _Customer, charset: str, inner: str) -> str:
    if client == "outlook":
        lang_attr = customer.lang.content_language.upper()
        return (
            _OUTLOOK_HEAD.format(charset=charset, lang=lang_attr)
            + inner
            + "\n</div>\n</body>\n</html>\n"
        )
    if client == "gmail":
        return f'<div dir="ltr">{inner}</div>\n'
    if client == "apple":
        return (
            '<html aria-label="message body"><head><meta http-equiv="content-type" '
            f'content="text/html; charset={charset}"></head><body dir="auto">\n'
            f"{inner}\n</body></html>\n"
        )
    if client == "thunderbird":
        return (
            "<!DOCTYPE html>\n<html>\n  <head>\n"
            f'    <meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f"  </head>\n  <body>\n{inner}\n  </body>\n</html>\n"
        )
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f'</head><body style="margin: 6px;">\n{inner}\n</body></html>\n'
    )


def _quote_plain(lines: str) -> str:
    out = []
    for line in lines.split("\n"):
        if not line:
            out.append(">")
        elif line.startswith(">"):
            out.append(">" + line)
        else:
            out.append("> " + line)
    return "\n".join(out)


def _soft_wrap(line: str, width: int = 76) -> str:
    """Gmail wraps long attribution lines, which splits "wrote:" onto a line of its own."""
    if len(line) <= width:
        return line
    cut = line.rfind(" ", 0, width)
    return line if cut <= 0 else line[:cut] + "\n" + line[cut + 1 :]


def _header_block(
    lang: _Lang, customer: _Customer, prev: _Sent, support: str, forward_to: bool
) -> list[str]:
    long_date, short_date, hm = _dates(lang, prev.when.astimezone(customer.tz))
    sent = f"{short_date} {hm}" if lang.code != "en" else long_date.replace(" at ", " ")
    labels = lang.labels
    block = [
        f"{labels[0]}: {customer.name} <{customer.address}>",
        f"{labels[1]}: {sent}",
        f"{labels[2]}: {support}",
        f"{labels[3]}: {prev.subject}",
    ]
    if forward_to:
        # Gmail's forward block puts the date under "Date", not "Sent".
        block[1] = f"Date: {long_date}"
    return block


def _quote(
    client: str,
    customer: _Customer,
    prev: _Sent,
    support: str,
    forward: bool,
) -> tuple[str, str]:
    """The quoted previous message as (plain text, HTML) in this client's style."""
    lang = customer.lang
    long_date, short_date, hm = _dates(lang, prev.when.astimezone(customer.tz))
    esc = html.escape
    if forward:
        block = _header_block(lang, customer, prev, support, forward_to=client == "gmail")
        if client == "gmail":
            head = "---------- Forwarded message ---------"
        elif client == "apple":
            head = "Begin forwarded message:\n"
        elif client == "thunderbird":
            head = "-------- Forwarded Message --------"
        elif client == "outlook":
            head = "________________________________"
        else:
            head = lang.original_separator
        plain = head + "\n" + "\n".join(block) + "\n\n" + prev.plain
        html_block = "<br>".join(esc(line) for line in [head, *block])
        return plain, f"<div>{html_block}<br><br></div>\n{prev.html}"
    if client in ("gmail", "apple"):
        attribution = lang.gmail_attr.format(
            date=long_date, name=customer.name, addr=customer.address
        )
        plain = _soft_wrap(attribution) + "\n\n" + _quote_plain(prev.plain)
        if client == "gmail":
            quoted = (
                f'<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
                f'{esc(attribution)}<br></div>\n<blockquote class="gmail_quote" '
                'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
                f'padding-left:1ex">\n{prev.html}\n</blockquote></div>'
            )
        else:
            quoted = (
                f'<div dir="ltr"><br><blockquote type="cite">{esc(attribution)}<br><br>\n'
                f"{prev.html}\n</blockquote></div>"
            )
        return plain, quoted
    if client == "thunderbird":
        attribution = lang.short_attr.format(date=short_date, hm=hm, name=customer.name)
        plain = attribution + "\n" + _quote_plain(prev.plain)
        quoted = (
            f'<div class="moz-cite-prefix">{esc(attribution)}<br></div>\n'
            f'<blockquote type="cite" cite="mid:{esc(prev.message_id.strip("<>"))}">\n'
            f"{prev.html}\n</blockquote>"
        )
        return plain, quoted
    block = _header_block(lang, customer, prev, support, forward_to=False)
    if client == "outlook":
        plain = "________________________________\n" + "\n".join(block) + "\n\n" + prev.plain
        bold = "<br>\n".join(
            f"<b>{esc(line.split(':', 1)[0])}:</b>{esc(line.split(':', 1)[1])}" for line in block
        )
        quoted = (
            '<div id="divRplyFwdMsg" dir="ltr"><hr style="display:inline-block;width:98%" '
            'tabindex="-1">\n<font face="Calibri, sans-serif" style="font-size:11pt" '
            f'color="#000000">{bold}</font>\n<div>&nbsp;</div></div>\n{prev.html}'
        )
        return plain, quoted
    plain = lang.original_separator + "\n" + "\n".join(block) + "\n\n" + prev.plain
    quoted = (
        f"<p>{esc(lang.original_separator)}<br>\n"
        + "<br>\n".join(esc(line) for line in block)
        + '</p>\n<blockquote style="border-left: 2px solid #1010ff; margin-left: 5px; '
        f'padding-left: 5px">\n{prev.html}\n</blockquote>'
    )
    return plain, quoted


def _subject_prefix(rng: random.Random, client: str, lang: _Lang, forward: bool) -> str:
    if rng.random() < 0.06:
        return rng.choice(_FOREIGN_FORWARD_PREFIXES if forward else _FOREIGN_REPLY_PREFIXES)
    if client == "outlook":
        return lang.forward_prefix if forward else lang.reply_prefix
    if client == "webmail" and lang.code == "de":
        return "WG:" if forward else "AW:"
    return "Fwd:" if forward else "Re:"


def _prefixed(prefix: str, subject: str) -> str:
    if subject.lower().startswith(prefix.lower()):
        return subject
    return f"{prefix} {subject}"


def _pick_charset(preferred: str, texts: list[str]) -> str:
    charset = preferred
    while charset != "utf-8" and not all(_encodable(t, charset) for t in texts):
        charset = _FALLBACK[charset]
    return charset


def _transfer_encoding(rng: random.Random, client: str, lang: _Lang, charset: str) -> str:
    if charset == "iso-2022-jp":
        return "7bit"
    latin = lang.code not in ("ru", "zh-cn", "ja")
    if client == "gmail":
        return "quoted-printable" if latin else "base64"
    if client in ("outlook", "apple"):
        return "quoted-printable" if latin or rng.random() < 0.5 else "base64"
    if client == "thunderbird":
        return "8bit" if rng.random() < 0.6 else "quoted-printable"
    return "8bit" if rng.random() < 0.5 else "base64"


def _received(rng: random.Random, customer: _Customer, support_domain: str, when: datetime) -> str:
    host = f"mail-{rng.choice(('ed1', 'wr1', 'ej1', 'lj1', 'pf1'))}-f{rng.randint(10, 250)}"
    ip = f"198.51.100.{rng.randint(1, 254)}"
    queue = "".join(rng.choices("0123456789ABCDEF", k=10))
    stamp = format_datetime(when.astimezone(UTC))
    smtp_id = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=22))
    return (
        f"Received: from {host}.{customer.domain} ({host}.{customer.domain} [{ip}])\n"
        f"\tby mx1.{support_domain} (Postfix) with ESMTPS id {queue}\n"
        f"\tfor <{{support}}>; {stamp}\n"
        f"Received: by {host}.{customer.domain} with SMTP id {smtp_id}\n"
        f"        for <{{support}}>; {stamp}"
    )


def _auth_headers(
    rng: random.Random, customer: _Customer, support_domain: str, when: datetime
) -> str:
    ts = int(when.timestamp())
    body_hash = base64.b64encode(rng.randbytes(32)).decode("ascii")
    signature = base64.b64encode(rng.randbytes(256)).decode("ascii")
    lines = [
        f"Authentication-Results: mx1.{support_domain};\n"
        f"\tdkim=pass (2048-bit key) header.d={customer.domain};\n"
        f"\tspf=pass smtp.mailfrom={customer.address};\n"
        f"\tdmarc=pass (p=NONE) header.from={customer.domain}",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
        f"        d={customer.domain}; s=s2025; t={ts}; x={ts + 604800};\n"
        "        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\n"
        "         :date:message-id:reply-to;\n"
        f"        bh={body_hash};\n"
        f"        b={_wrap(signature)}",
    ]
    if customer.client in ("gmail", "outlook"):
        seal = base64.b64encode(rng.randbytes(256)).decode("ascii")
        lines.append(
            f"ARC-Seal: i=1; a=rsa-sha256; t={ts}; cv=none;\n"
            f"        d={customer.domain}; s=arc-2025;\n"
            f"        b={_wrap(seal)}"
        )
    if customer.client == "outlook":
        blob = base64.b64encode(rng.randbytes(rng.randint(600, 1400))).decode("ascii")
        lines.append(
            "X-MS-Exchange-Organization-SCL: 1\n"
            f"X-MS-Exchange-CrossTenant-OriginalArrivalTime: {format_datetime(when)}\n"
            f"X-Microsoft-Antispam-Message-Info:\n\t{_wrap(blob, 76)}"
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Rendered:
    raw: bytes
    charset: str
    has_attachment: bool
    sent: _Sent


def _attachments_for(
    rng: random.Random, thread: _Thread, when: datetime, count: int
) -> list[_Attachment]:
    lang = thread.customer.lang
    topic = thread.template[0]
    result = []
    for _ in range(count):
        if topic in ("invoice", "cancel") or (topic == "order" and rng.random() < 0.5):
            kind = "pdf" if rng.random() < 0.8 else "csv"
        elif topic == "refund":
            kind = "png" if rng.random() < 0.6 else "pdf"
        elif topic == "login":
            kind = "screenshot"
        else:
            kind = "csv"
        stamp = when.strftime("%Y-%m-%d at %H.%M.%S")
        if kind == "pdf":
            name = lang.files[0].format(order=thread.order)
            lines = [
                f"Order {thread.order}",
                f"Date: {when:%Y-%m-%d}",
                f"Customer: {thread.customer.address}",
            ]
            lines += [
                f"Item {i}: SKU-{rng.randint(10000, 99999)}" for i in range(rng.randint(3, 20))
            ]
            result.append(_Attachment(name, "application/pdf", _pdf(rng, "INVOICE", lines)))
        elif kind == "png":
            name = lang.files[1] if rng.random() < 0.6 else f"IMG_{when:%Y%m%d_%H%M%S}.png"
            data = _png(rng, rng.randint(32, 72), rng.randint(24, 48))
            result.append(_Attachment(name, "image/png", data))
        elif kind == "screenshot":
            name = lang.files[3].format(date=stamp)
            data = _png(rng, rng.randint(120, 320), rng.randint(80, 200), noise=False)
            result.append(_Attachment(name, "image/png", data))
        else:
            name = lang.files[2]
            result.append(_Attachment(name, "text/csv", _csv(rng, thread.order)))
    return result


def _attachment_part(rng: random.Random, client: str, attachment: _Attachment) -> bytes:
    name = attachment.filename
    ctype = attachment.content_type
    if name.isascii():
        quoted = name.replace('"', "")
        type_param = f'name="{quoted}"'
        disposition = f'attachment;\n filename="{quoted}"'
    elif client == "outlook" or (client == "gmail" and rng.random() < 0.5):
        # Outlook and often Gmail put RFC 2047 words in the parameter, against RFC 2231.
        encoded = "\n ".join(_encoded_words(name, "utf-8", "B"))
        type_param = f'name="{encoded}"'
        disposition = f'attachment;\n filename="{encoded}"'
    else:
        encoded = _rfc2231_filename(name, continuation=client == "thunderbird")
        type_param = encoded.replace("filename", "name")
        disposition = f"attachment;\n {encoded}"
    charset = "; charset=utf-8" if ctype == "text/csv" else ""
    headers = [
        f"Content-Type: {ctype}{charset};\n {type_param}",
        f"Content-Disposition: {disposition}",
        "Content-Transfer-Encoding: base64",
    ]
    if client == "gmail":
        headers.append(f"X-Attachment-Id: f_{rng.getrandbits(40):010x}")
        headers.append(f"Content-ID: <f_{rng.getrandbits(40):010x}>")
    return _leaf(headers, base64.encodebytes(attachment.data))


def _logo(domain: str) -> bytes:
    # The same company logo in every mail from that company: realistic dedup material.
    return _png(random.Random(f"logo/{domain}"), 96, 32, noise=False)


def _render(
    rng: random.Random,
    thread: _Thread,
    pos: int,
    when_utc: datetime,
    support: str,
    support_display: str,
    message_ids: set[str],
) -> _Rendered:
    customer = thread.customer
    lang = customer.lang
    client = customer.client
    when = when_utc.astimezone(customer.tz)
    kind = thread.kinds[pos]
    prev = thread.last
    forward = kind == "none" and rng.random() < 0.3

    # ---------------------------------------------------------------- attachments
    attachments: list[_Attachment] = []
    resend = False
    if pos == 0:
        if rng.random() < 0.2:
            attachments = _attachments_for(rng, thread, when, 1 if rng.random() < 0.8 else 2)
    elif thread.attachments and rng.random() < 0.3:
        attachments = [thread.attachments[-1]]
        resend = True
    elif rng.random() < 0.06:
        attachments = _attachments_for(rng, thread, when, 1)
    if attachments and rng.random() < 0.03:
        # Customers do attach the same file twice.
        attachments.append(attachments[0])

    # ---------------------------------------------------------------- text
    if pos == 0:
        _, subject_t, body_t = thread.template
        body = body_t.format(order=thread.order, amount=thread.amount)
        subject = subject_t.format(order=thread.order)
    else:
        body = rng.choice(lang.followups)
        assert prev is not None
        subject = _prefixed(_subject_prefix(rng, client, lang, forward), prev.subject)
    notes = []
    if resend:
        notes.append(lang.resend_note)
    elif attachments:
        notes.append(lang.attach_note)
    cjk = lang.code in ("zh-cn", "ja")
    body_text = body + ("" if not notes else ("" if cjk else " ") + " ".join(notes))
    signoff = rng.choice(lang.signoffs)
    # A company signature repeats the full name, so the sign-off uses the given name.
    name_line = customer.first if customer.company or rng.random() < 0.5 else customer.name
    blocks = [rng.choice(lang.greetings), body_text, f"{signoff}\n{name_line}"]
    signature_lines: list[str] = []
    if customer.company:
        signature_lines = [customer.name, customer.company, f"Tel. {customer.phone}"]
        if rng.random() < 0.5:
            signature_lines.append(f"www.{customer.domain}")
    new_text = "\n\n".join(blocks)
    if signature_lines:
        sep = "-- \n" if client == "thunderbird" else ""
        new_text += "\n\n" + sep + "\n".join(signature_lines)
    if client == "apple" and rng.random() < 0.6:
        new_text += "\n\n" + lang.device

    plain = new_text
    inner_html = _html_fragment(client, new_text)
    if prev is not None:
        quote_plain, quote_html = _quote(client, customer, prev, support_display, forward)
        plain = new_text + "\n\n" + quote_plain
        inner_html = inner_html + "\n" + quote_html

    # ---------------------------------------------------------------- structure
    html_only = client == "webmail" and rng.random() < 0.6
    if client in ("gmail", "outlook"):
        alternative = True
    elif client == "apple":
        alternative = rng.random() < 0.7
    elif client == "thunderbird":
        alternative = rng.random() < 0.2
    else:
        alternative = not html_only and rng.random() < 0.4
    use_html = html_only or alternative
    inline_logo = (
        use_html
        and bool(customer.company)
        and client in ("outlook", "apple")
        and rng.random() < 0.5
    )
    logo_cid = f"image001.png@01DC{rng.getrandbits(32):08X}.{rng.getrandbits(32):08X}"
    if inline_logo:
        inner_html += (
            f'\n<p><img width="96" height="32" src="cid:{logo_cid}" '
            f'alt="{html.escape(customer.company)}"></p>'
        )

    charset_texts = [plain]
    charset = _pick_charset(customer.charset, charset_texts)
    html_doc = _html_document(client, customer, charset, inner_html) if use_html else ""
    if html_doc and not _encodable(html_doc, charset):
        charset = _pick_charset(_FALLBACK.get(charset, "utf-8"), [plain, html_doc])
        html_doc = _html_document(client, customer, charset, inner_html)
    cte = _transfer_encoding(rng, client, lang, charset)
    label = charset.upper() if client == "thunderbird" else charset

    parts: list[bytes] = []
    if not html_only:
        flowed = "; format=flowed" if client == "thunderbird" and not cjk else ""
        parts.append(
            _leaf(
                [
                    f'Content-Type: text/plain; charset="{label}"{flowed}',
                    f"Content-Transfer-Encoding: {cte}",
                ],
                _encode_body(plain, charset, cte),
            )
        )
    body_part: bytes
    if use_html:
        html_cte = (
            "quoted-printable" if cte in ("7bit", "8bit") and charset != "iso-2022-jp" else cte
        )
        html_part = _leaf(
            [
                f'Content-Type: text/html; charset="{label}"',
                f"Content-Transfer-Encoding: {html_cte}",
            ],
            _encode_body(html_doc, charset, html_cte),
        )
        if inline_logo:
            logo = _leaf(
                [
                    'Content-Type: image/png;\n name="image001.png"',
                    "Content-Description: image001.png",
                    'Content-Disposition: inline; filename="image001.png"',
                    f"Content-ID: <{logo_cid}>",
                    "Content-Transfer-Encoding: base64",
                ],
                base64.encodebytes(_logo(customer.domain)),
            )
            html_part = _multipart("related", _boundary(rng, client), [html_part, logo]).replace(
                b"multipart/related;", b'multipart/related;\n type="text/html";', 1
            )
        parts.append(html_part)
        body_part = (
            parts[0]
            if len(parts) == 1
            else _multipart("alternative", _boundary(rng, client), parts)
        )
    else:
        body_part = parts[0]
    if attachments:
        mixed_parts = [body_part] + [_attachment_part(rng, client, a) for a in attachments]
        body_part = _multipart(
            "mixed",
            _boundary(rng, client),
            mixed_parts,
            preamble="This is a multi-part message in MIME format.",
        )

    # ---------------------------------------------------------------- headers
    message_id = f"<{rng.getrandbits(128):032x}@{customer.domain}>"
    while message_id in message_ids:
        message_id = f"<{rng.getrandbits(128):032x}@{customer.domain}>"
    message_ids.add(message_id)
    mode = "Q" if lang.code not in ("ru", "zh-cn", "ja") and rng.random() < 0.7 else "B"
    support_domain = support.rpartition("@")[2]
    headers = [
        f"Return-Path: <{customer.address}>",
        f"Delivered-To: {support}",
        _received(rng, customer, support_domain, when_utc).replace("{support}", support),
        _auth_headers(rng, customer, support_domain, when_utc),
        "MIME-Version: 1.0",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {message_id}",
    ]
    if prev is not None and kind == "full":
        headers.append(f"In-Reply-To: {prev.message_id}")
    if prev is not None and kind in ("full", "refs"):
        refs = thread.references[-10:]
        headers.append("References: " + "\n ".join(refs))
    headers += [
        f"From: {_mailbox(customer.name, customer.address, charset, mode)}",
        f"To: {_mailbox(support_display, support, charset, mode)}",
        f"Subject: {_header_text(subject, charset, mode)}",
    ]
    if client == "outlook":
        headers.append(f"Thread-Index: {base64.b64encode(rng.randbytes(22)).decode('ascii')}")
        headers.append(f"Content-Language: {lang.content_language}")
        headers.append("X-Mailer: Microsoft Outlook 16.0")
    elif client == "thunderbird":
        headers.append(
            "User-Agent: Mozilla Thunderbird"
            if rng.random() < 0.5
            else "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101\n"
            " Thunderbird/128.6.0"
        )
        headers.append(f"Content-Language: {lang.content_language}")
    elif client == "apple":
        headers.append(f"X-Mailer: iPhone Mail (22C{rng.randint(100, 199)})")
    elif client == "webmail":
        headers.append(f"X-Mailer: Webmail {rng.randint(4, 9)}.{rng.randint(0, 9)}")
    raw = ("\n".join(headers) + "\n").encode("ascii") + body_part
    raw = raw.replace(b"\n", b"\r\n")

    if attachments and not resend:
        thread.attachments.extend(attachments)
    sent = _Sent(message_id=message_id, subject=subject, when=when, plain=plain, html=inner_html)
    return _Rendered(raw=raw, charset=charset, has_attachment=bool(attachments), sent=sent)


def _boundary(rng: random.Random, client: str) -> str:
    if client == "outlook":
        high, low = rng.getrandbits(32), rng.getrandbits(32)
        return f"----=_NextPart_000_{rng.getrandbits(16):04X}_{high:08X}.{low:08X}"
    if client == "gmail":
        return f"000000000000{rng.getrandbits(48):012x}"
    if client == "apple":
        return f"Apple-Mail-{rng.getrandbits(64):016X}"
    return f"------------{rng.getrandbits(96):024X}"


def _support_display(address: str) -> str:
    label = address.rpartition("@")[2].split(".")[0]
    return f"{label.replace('-', ' ').title()} Support"


def generate_corpus(
    n_messages: int,
    seed: int = 0,
    *,
    start: datetime | None = None,
    support_address: str = "support@acme.test",
) -> list[CorpusMessage]:
    """Generate ``n_messages`` customer mails to ``support_address`` in Date order.

    The same ``(seed, start, support_address)`` always gives the same bytes, and a corpus of
    n messages is the prefix of a corpus of m > n messages.
    """
    if n_messages <= 0:
        return []
    if start is None:
        start = DEFAULT_START
    elif start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    events, threads = _plan(n_messages, seed, start)
    support_display = _support_display(support_address)
    message_ids: set[str] = set()
    result: list[CorpusMessage] = []
    last_offset = -1
    for offset, thread_index, pos in events:
        # Strictly increasing Date headers (second resolution) keep the order unambiguous.
        offset = max(offset, last_offset + 1)
        last_offset = offset
        thread = threads[thread_index]
        rng = random.Random(f"{seed}/message/{thread_index}/{pos}")
        rendered = _render(
            rng,
            thread,
            pos,
            start + timedelta(seconds=offset),
            support_address,
            support_display,
            message_ids,
        )
        thread.last = rendered.sent
        thread.references.append(rendered.sent.message_id)
        result.append(
            CorpusMessage(
                raw=rendered.raw,
                thread_key=thread.key,
                language=thread.customer.lang.code,
                message_id=rendered.sent.message_id,
                has_attachment=rendered.has_attachment,
                charset=rendered.charset,
            )
        )
    return result


# =========================================================================== hostile mail


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def _hostile_attachment(tag: str, filename_header: str, data: bytes) -> bytes:
    return _crlf(
        "From: Mallory <mallory@evil.test>\n"
        "To: support@acme.test\n"
        "Subject: Invoice attached\n"
        "Date: Tue, 06 Jan 2026 10:00:00 +0000\n"
        f"Message-ID: <hostile-{tag}@evil.test>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n'
        "\n"
        "--b1\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "Please see the attached invoice.\n"
        "--b1\n"
        "Content-Type: application/octet-stream\n"
        f"Content-Disposition: attachment; {filename_header}\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
    ) + (base64.encodebytes(data).replace(b"\n", b"\r\n") + b"--b1--\r\n")


def hostile_messages() -> list[tuple[str, bytes]]:
    """Nasty but real-world messages, each (name, raw bytes); ingest must store them all."""
    base = (
        "From: Customer <customer@example.test>\n"
        "To: support@acme.test\n"
        "Subject: {subject}\n"
        "Date: Mon, 05 Jan 2026 12:00:00 +0100\n"
        "Message-ID: <hostile-{name}@example.test>\n"
        "MIME-Version: 1.0\n"
    )

    def simple(name: str, subject: str, extra_headers: str, body: str) -> bytes:
        return _crlf(base.format(subject=subject, name=name) + extra_headers + "\n" + body)

    messages: list[tuple[str, bytes]] = []
    messages.append(
        (
            "no_message_id",
            _crlf(
                "From: Customer <customer@example.test>\nTo: support@acme.test\n"
                "Subject: My parcel is missing\nDate: Mon, 05 Jan 2026 12:01:00 +0100\n"
                "Content-Type: text/plain; charset=utf-8\n\n"
                "Hello, my parcel never arrived. Can you help?\n"
            ),
        )
    )
    messages.append(
        (
            "garbage_date",
            simple(
                "garbage-date",
                "Refund please",
                "Date: Thursday the 45th of Smarch, 25:61 o'clock +9999\n"
                "Content-Type: text/plain; charset=utf-8\n",
                "Hi, I would like a refund for my last order.\n",
            ).replace(b"Date: Mon, 05 Jan 2026 12:00:00 +0100\r\n", b"", 1),
        )
    )
    messages.append(
        (
            "unknown_charset",
            simple(
                "unknown-charset",
                "Rechnung",
                'Content-Type: text/plain; charset="x-user-defined-42"\n'
                "Content-Transfer-Encoding: 8bit\n",
                "",
            )
            + "Guten Tag, die Rechnung f\xfcr M\xe4rz fehlt noch.\r\n".encode("latin-1"),
        )
    )
    messages.append(
        (
            "broken_base64",
            simple(
                "broken-base64",
                "Login problem",
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
                "SGVsbG8sIEkgY2Fubm90IGxvZyBpbg!!!$$$==\nnot*base64*at*all\nSGk=SGk\n",
            ),
        )
    )
    messages.append(
        (
            "missing_boundary",
            simple(
                "missing-boundary",
                "Order question",
                "Content-Type: multipart/mixed\n",
                "--somewhere\nContent-Type: text/plain\n\nWhere is my order?\n--somewhere--\n",
            ),
        )
    )
    messages.append(
        (
            "nul_bytes",
            simple(
                "nul-bytes",
                "Broken\x00subject",
                "Content-Type: text/plain; charset=utf-8\n",
                "Hello\x00 there, my printer\x00\x00 inserted these.\n",
            ),
        )
    )
    messages.append(
        (
            "raw_utf8_headers",
            _crlf(
                "From: Jürgen Müller <juergen@example.test>\n"
                "To: Support Überall <support@acme.test>\n"
                "Subject: Rückerstattung für Bestellung – dringend 🙏\n"
                "Date: Mon, 05 Jan 2026 12:02:00 +0100\n"
                "Message-ID: <hostile-raw-utf8@example.test>\n"
                "MIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n"
                "Ich warte seit drei Wochen auf mein Geld.\n"
            ),
        )
    )
    messages.append(
        (
            "huge_single_line",
            simple(
                "huge-line",
                "Log output",
                "Content-Type: text/plain; charset=utf-8\n",
                "error " * 34000 + "\n",
            ),
        )
    )
    nested = "Content-Type: text/plain; charset=utf-8\n\nThe innermost part says hello.\n"
    for depth in range(40):
        nested = (
            f'Content-Type: multipart/mixed; boundary="depth{depth}"\n\n'
            f"--depth{depth}\n{nested}--depth{depth}--\n"
        )
    messages.append(
        (
            "deeply_nested_multipart",
            _crlf(base.format(subject="Nested", name="nested") + nested),
        )
    )
    messages.append(
        (
            "path_traversal_filename",
            _hostile_attachment(
                "path-traversal", 'filename="../../etc/passwd"', b"root:x:0:0:root:/root:/bin/sh\n"
            ),
        )
    )
    messages.append(
        (
            "rtl_override_filename",
            _hostile_attachment(
                "rtl-override",
                "filename*=utf-8''" + quote("invoice\u202efdp.exe".encode(), safe=""),
                b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48),
            ),
        )
    )
    full = simple(
        "truncated",
        "Photo of the damage",
        'Content-Type: multipart/mixed; boundary="cut"\n',
        "--cut\nContent-Type: text/plain; charset=utf-8\n\nSee the photo.\n--cut\n"
        'Content-Type: image/png; name="damage.png"\nContent-Transfer-Encoding: base64\n'
        'Content-Disposition: attachment; filename="damage.png"\n\n',
    ) + base64.encodebytes(_png(random.Random("hostile"), 40, 30)).replace(b"\n", b"\r\n")
    messages.append(("truncated", full[: len(full) * 2 // 3]))
    messages.append(
        (
            "headers_only",
            _crlf(base.format(subject="(no body)", name="headers-only")).rstrip(b"\r\n"),
        )
    )
    messages.append(
        (
            "mislabelled_charset",
            simple(
                "mislabelled",
                "Facture",
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
                "",
            )
            + "Bonjour, la facture de d\xe9cembre est erron\xe9e.\r\n".encode("latin-1"),
        )
    )
    return messages
