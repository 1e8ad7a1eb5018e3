"""Language detection: realistic short customer mail, quote stripping, determinism, speed path."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from langdetect import DetectorFactory
from langdetect import detect as stock_detect

from app.mail import language
from app.mail.language import (
    MAX_DETECTION_CHARS,
    UNKNOWN,
    clean_for_detection,
    detect_language,
    detect_many,
    init_worker,
)

ROOT = Path(__file__).resolve().parents[3]

# Written the way customers write: one to three sentences, no ceremony.
SAMPLES: dict[str, list[str]] = {
    "en": [
        "Hi, the tracking number you sent me doesn't work on the courier's website. "
        "Can you double-check it?",
        "I was charged twice for the same order this morning. Please refund one of the payments.",
        "Hello, is it possible to change the delivery address for my order? I'm moving next week.",
    ],
    "de": [
        "Hallo, der Drucker, den ich letzte Woche bestellt habe, lässt sich nicht einschalten. "
        "Was soll ich jetzt machen?",
        "Ich möchte meine Adresse ändern, finde aber die Einstellung im Kundenkonto nicht.",
        "Guten Tag, können Sie mir bitte sagen, ob der Artikel bald wieder lieferbar ist?",
    ],
    "it": [
        "Salve, ho ricevuto due volte lo stesso addebito sulla carta. Potete controllare?",
        "Buongiorno, vorrei cambiare l'indirizzo di spedizione del mio ordine perché la "
        "settimana prossima non sarò a casa.",
        "Il codice sconto che mi avete mandato non funziona, dice che è scaduto.",
    ],
    "fr": [
        "Bonjour, le numéro de suivi que vous m'avez envoyé ne fonctionne pas sur le site du "
        "transporteur.",
        "J'ai été débité deux fois pour la même commande ce matin. Merci de me rembourser un des "
        "paiements.",
        "Est-il possible de modifier l'adresse de livraison ? Je déménage la semaine prochaine.",
    ],
    "es": [
        "Hola, me han cobrado dos veces el mismo pedido esta mañana. ¿Pueden devolverme uno de "
        "los pagos?",
        "Buenas tardes, el código de descuento que me enviaron no funciona, dice que ha caducado.",
        "Quería saber si es posible cambiar la dirección de entrega, porque la semana que viene "
        "no estaré en casa.",
    ],
    "pt": [
        "Oi, fui cobrada duas vezes pelo mesmo pedido hoje de manhã. Vocês podem estornar um dos "
        "pagamentos?",
        "Bom dia, o cupom de desconto que vocês me mandaram não está funcionando, diz que já "
        "expirou.",
        "Gostaria de saber se é possível mudar o endereço de entrega, porque na semana que vem "
        "não vou estar em casa.",
    ],
    "nl": [
        "Hoi, ik ben vanochtend twee keer afgeschreven voor dezelfde bestelling. Kunnen jullie "
        "één betaling terugstorten?",
        "De kortingscode die ik van jullie heb gekregen werkt niet, er staat dat hij verlopen is.",
        "Is het mogelijk om het afleveradres te wijzigen? Ik ben volgende week niet thuis.",
    ],
    "pl": [
        "Dzień dobry, dziś rano zostałem obciążony dwa razy za to samo zamówienie. Proszę o "
        "zwrot jednej płatności.",
        "Kod rabatowy, który od Was dostałam, nie działa, pojawia się komunikat, że wygasł.",
        "Czy mogę zmienić adres dostawy? W przyszłym tygodniu nie będzie mnie w domu.",
    ],
    "ru": [
        "Добрый день, сегодня утром с меня дважды списали деньги за один и тот же заказ. "
        "Верните, пожалуйста, один платёж.",
        "Промокод, который вы мне прислали, не работает, пишет, что срок действия истёк.",
        "Можно ли изменить адрес доставки? На следующей неделе меня не будет дома.",
    ],
    "zh-cn": [
        "你好，今天早上同一个订单被扣了两次款，请帮我退回其中一笔。",
        "你们发给我的优惠码用不了，提示已经过期了。",
        "请问可以修改收货地址吗？下周我不在家。",
    ],
    "ja": [
        "本日、同じ注文で二重に請求されていました。片方の返金をお願いできますでしょうか。",
        "いただいたクーポンコードが使えません。有効期限切れと表示されます。",
        "配送先の住所を変更することは可能でしょうか。来週は不在にしております。",
    ],
}
CASES = [(lang, text) for lang, texts in SAMPLES.items() for text in texts]
ALL_TEXTS = [text for _, text in CASES]

# Short and borderline inputs: where a seed or call order would show if it leaked through.
AMBIGUOUS = [
    "Wo ist mein Paket?",
    "Danke, alles klar!",
    "Grazie mille per l'aiuto",
    "Obrigado pela ajuda rápida",
    "Bedankt voor de snelle hulp",
    "Merci beaucoup, à bientôt",
    "Gracias por todo, saludos",
    "ありがとうございました",
    "谢谢你们的帮助",
    "Спасибо большое",
]


@pytest.fixture(scope="module", autouse=True)
def _profiles_loaded() -> None:
    init_worker()


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_detects_short_customer_mail(lang: str, text: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_detects_with_greeting_signature_and_noise(lang: str, text: str) -> None:
    body = (
        f"{text}\n\nOrder: AC-2026-004711, tracking 00340434161094042557\n"
        "https://shop.example.test/account/orders?id=4711&utm_source=mail\n"
        "customer.service@example.test, +49 (0)30 1234-5678\n\n-- \nSent with a signature tool"
    )
    assert detect_language(body) == lang


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "OK!",
        "Thanks!",
        "Thank you",
        "👍🙏😊",
        "https://shop.example.test/orders/12345?ref=mail",
        "jane.doe@example.test",
        "+49 30 1234567 / 0176 98765432",
        "AC-2026-004711",
        "谢谢",
        "\n\n   \n",
        "> Only a quote\n> of someone else's mail",
    ],
)
def test_unknown_when_too_short_to_tell(text: str) -> None:
    assert detect_language(text) == UNKNOWN


def test_unknown_when_langdetect_finds_no_features() -> None:
    # Enough "letters" to pass the length gate, none of which langdetect has a profile for.
    assert detect_language("ᚠᛇᚻ᛫ᛒᛦᚦ᛫ᚠᚱᚩᚠᚢᚱ᛫ᚠᛁᚱᚪ᛫ᚷᛖᚻᚹᛦᛚᚳᚢᛗ") == UNKNOWN


GERMAN_OVER_ENGLISH = {
    "gmail": (
        "Hallo, ich habe immer noch keine Antwort bekommen. Wann kommt mein Geld zurück?\n\n"
        "Viele Grüße\nAnja\n\n"
        "On Mon, Jan 5, 2026 at 10:12 AM Acme Support <support@acme.test>\nwrote:\n\n"
        "> Hello Anja,\n>\n> thank you for reaching out. We have forwarded your request to our\n"
        "> billing team and will get back to you within two business days.\n>\n"
        "> Kind regards,\n> The Acme support team\n"
    ),
    "outlook": (
        "Hallo, ich habe immer noch keine Antwort bekommen. Wann kommt mein Geld zurück?\n\n"
        "Viele Grüße\nAnja\n\n________________________________\n"
        "Von: Acme Support <support@acme.test>\nGesendet: Montag, 5. Januar 2026 10:12\n"
        "An: Anja Becker <anja.becker@web-de.test>\nBetreff: RE: Refund\n\n"
        "Hello Anja,\n\nthank you for reaching out. We have forwarded your request to our "
        "billing team and will get back to you within two business days. In the meantime, "
        "please keep the original packaging and the receipt, since the courier may ask for "
        "them when collecting the parcel.\n\nKind regards,\nThe Acme support team\n"
    ),
    "original-message": (
        "Hallo, ich habe immer noch keine Antwort bekommen. Wann kommt mein Geld zurück?\n\n"
        "-----Original Message-----\nFrom: Acme Support <support@acme.test>\n"
        "Sent: Monday, January 5, 2026 10:12 AM\nTo: anja.becker@web-de.test\n"
        "Subject: RE: Refund\n\nHello Anja, thank you for reaching out. We have forwarded "
        "your request to our billing team and will get back to you within two business days.\n"
    ),
    "html": (
        '<div dir="ltr"><div>Hallo, ich habe immer noch keine Antwort bekommen. Wann kommt '
        "mein Geld zur&uuml;ck?</div><div><br></div><div>Viele Gr&uuml;&szlig;e<br>Anja</div>"
        '</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Jan 5, '
        "2026 at 10:12 AM Acme Support &lt;support@acme.test&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote">Hello Anja, thank you for reaching out. We have '
        "forwarded your request to our billing team and will get back to you within two "
        "business days. Kind regards, the Acme support team</blockquote></div>"
    ),
}


@pytest.mark.parametrize("style", sorted(GERMAN_OVER_ENGLISH))
def test_quoted_history_in_another_language_does_not_count(style: str) -> None:
    body = GERMAN_OVER_ENGLISH[style]
    assert detect_language(body) == "de"
    cleaned = clean_for_detection(body)
    assert "forwarded" not in cleaned
    assert "Hallo" in cleaned


# --------------------------------------------------------------------------- cleaning


@pytest.mark.parametrize(
    "header",
    [
        "On Mon, 5 Jan 2026 at 10:12, Jane Doe <jane@example.test> wrote:",
        "On 05/01/2026 10:12, Jane Doe wrote:",
        "Am Mo., 5. Jan. 2026 um 10:12 Uhr schrieb Jane Doe <jane@example.test>:",
        "Am 05.01.26 um 10:12 schrieb Jane Doe:",
        "Il giorno lun 5 gen 2026 alle ore 10:12 Jane Doe <jane@example.test> ha scritto:",
        "Il 05/01/2026 10:12, Jane Doe ha scritto:",
        "Le lun. 5 janv. 2026 à 10:12, Jane Doe <jane@example.test> a écrit :",
        "El lun, 5 ene 2026 a las 10:12, Jane Doe (<jane@example.test>) escribió:",
        "Em seg., 5 de jan. de 2026 às 10:12, Jane Doe <jane@example.test> escreveu:",
        "Op ma 5 jan 2026 om 10:12 schreef Jane Doe <jane@example.test>:",
        "Op 5-1-2026 om 10:12 schreef Jane Doe:",
        "pon., 5 sty 2026 o 10:12 Jane Doe <jane@example.test> napisał(a):",
        "W dniu 5.01.2026 o 10:12, Jane Doe pisze:",
        "пн, 5 янв. 2026 г. в 10:12, Jane Doe <jane@example.test>:",
        "05.01.2026 10:12, Jane Doe пишет:",
        "Jane Doe <jane@example.test> 于2026年1月5日周一 10:12写道：",
        "2026年1月5日(月) 10:12 Jane Doe <jane@example.test>:",
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-----Messaggio originale-----",
        "-----Message d'origine-----",
        "-----Mensaje original-----",
        "---------- Forwarded message ---------",
        "-------- Forwarded Message --------",
        "Begin forwarded message:",
        "________________________________",
    ],
)
def test_cuts_at_reply_headers(header: str) -> None:
    body = f"Newest text here.\n\n{header}\nOlder quoted text that must go.\n"
    assert clean_for_detection(body) == "Newest text here."


@pytest.mark.parametrize(
    "block",
    [
        "From: Acme <support@acme.test>\nSent: Monday, January 5, 2026 10:12 AM\nTo: x",
        "Von: Acme <support@acme.test>\nGesendet: Montag, 5. Januar 2026 10:12\nAn: x",
        "Da: Acme <support@acme.test>\nInviato: lunedì 5 gennaio 2026 10:12\nA: x",
        "De : Acme <support@acme.test>\nEnvoyé : lundi 5 janvier 2026 10:12\nÀ : x",
        "De: Acme <support@acme.test>\nEnviado el: lunes, 5 de enero de 2026 10:12\nPara: x",
        "Van: Acme <support@acme.test>\nVerzonden: maandag 5 januari 2026 10:12\nAan: x",
        "Od: Acme <support@acme.test>\nWysłano: poniedziałek, 5 stycznia 2026 10:12\nDo: x",
        "От: Acme <support@acme.test>\nОтправлено: 5 января 2026 г. 10:12\nКому: x",
        "发件人: Acme <support@acme.test>\n发送时间: 2026年1月5日 10:12\n收件人: x",
        "差出人: Acme <support@acme.test>\n送信日時: 2026年1月5日 10:12\n宛先: x",
        "From: Acme <support@acme.test>\nSubject: Your order\nDate: 5 January 2026 at 10:12",
    ],
)
def test_cuts_at_outlook_header_blocks(block: str) -> None:
    body = f"Newest text here.\n\n{block}\n\nOlder quoted text that must go.\n"
    assert clean_for_detection(body) == "Newest text here."


def test_a_wrapped_attribution_is_removed_whole() -> None:
    body = (
        "Newest text here.\n\npon., 5 sty 2026 o 10:12 Krzysztof Nowak\n"
        "<krzysztof.nowak@example.test> napisał(a):\n\n> older\n"
    )
    assert clean_for_detection(body) == "Newest text here."


def test_keeps_prose_that_merely_mentions_writing() -> None:
    body = "On Monday I wrote to you about my refund.\nFrom: my side nothing has changed."
    assert clean_for_detection(body) == (
        "On Monday I wrote to you about my refund. From: my side nothing has changed."
    )


def test_drops_interleaved_quotes_but_keeps_the_answers() -> None:
    body = "> Which order is it?\nThe blue kettle.\n> And when did it arrive?\nOn Friday."
    assert clean_for_detection(body) == "The blue kettle. On Friday."


def test_removes_urls_addresses_numbers_and_signature() -> None:
    body = (
        "Please check https://track.example.test/parcel/00340434161094042557 and "
        "www.example.test/help, write to jane.doe+shop@example.test or call +44 20 7946 0958. "
        "Order AC-2026-004711 (#4711).\n-- \nJane Doe\nHead of Things"
    )
    cleaned = clean_for_detection(body)
    assert cleaned == "Please check and write to or call Order ( )."
    assert not any(ch.isdigit() for ch in cleaned)


def test_digits_inside_cjk_text_do_not_take_the_sentence_along() -> None:
    assert clean_for_detection("订单AC-123456还没有收到") == "订单 还没有收到"


def test_html_is_reduced_to_its_newest_text() -> None:
    body = (
        "<html><head><style>p { color: red; }</style></head><body><p>Bonjour,</p>"
        "<p>je n&#39;ai pas re&ccedil;u ma commande.</p><blockquote>Old stuff</blockquote>"
        "</body></html>"
    )
    assert clean_for_detection(body) == "Bonjour, je n'ai pas reçu ma commande."


def test_length_is_capped_at_a_word_boundary() -> None:
    cleaned = clean_for_detection("lorem ipsum " * 500)
    assert len(cleaned) <= MAX_DETECTION_CHARS
    assert cleaned.endswith(("lorem", "ipsum"))
    assert len(clean_for_detection("长" * 5000)) == MAX_DETECTION_CHARS


def test_huge_bodies_are_cheap() -> None:
    body = "A line of an endless log that somebody pasted into the mail.\n" * 200_000
    assert len(clean_for_detection(body)) <= MAX_DETECTION_CHARS


def test_cleaning_is_idempotent() -> None:
    # Ingest cleans at prepare time and may call detect_language on the cleaned text.
    bodies = [*ALL_TEXTS, *GERMAN_OVER_ENGLISH.values()]
    for body in bodies:
        once = clean_for_detection(body)
        assert clean_for_detection(once) == once
        assert detect_language(once) == detect_language(body)


# --------------------------------------------------------------------------- fast path


def test_fast_path_matches_langdetect_bit_for_bit() -> None:
    model = language._load_model()
    texts = [*ALL_TEXTS, *AMBIGUOUS, "lorem ipsum dolor sit amet " * 20, "Ab CD ef GH ij"]
    for text in texts:
        detector = model.factory.create()
        detector.set_max_text_length(MAX_DETECTION_CHARS * 2)
        detector.append(text)
        detector._detect_block()
        ngrams = language._ngram_vectors(
            language._prepare(text, MAX_DETECTION_CHARS * 2), model.vectors
        )
        ours = language._probabilities(ngrams, len(model.langs), language.N_TRIAL)
        assert ours == detector.langprob, text


def test_the_matrix_holds_the_models_vectors_bit_for_bit() -> None:
    # Read straight from the profiles, not through langdetect's factory: every n-gram's row
    # must be the factory's vector, and the languages in the same order.
    model, matrix = language._load_model(), language._load_matrix()
    assert matrix.langs == model.langs
    assert set(matrix.rows) == set(model.vectors)
    values = matrix.values.tolist()
    assert all(values[matrix.rows[gram]] == vector for gram, vector in model.vectors.items())


def test_the_matrix_is_cached_for_the_next_process_and_rebuilt_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each worker of a catch-up needs the matrix: the first one that builds it leaves it
    # in the cache folder, the others read it; a damaged file is built again, silently.
    monkeypatch.setenv("RELAYDESK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(language, "_matrix", None)
    built = language._load_matrix()
    (cached,) = tmp_path.glob("langdetect-matrix-*.npz")
    monkeypatch.setattr(language, "_matrix", None)
    read = language._load_matrix()
    assert read is not built
    assert read.langs == built.langs and read.rows == built.rows
    assert read.values.tolist() == built.values.tolist()
    whole = cached.read_bytes()
    for damaged in (b"not a matrix", whole[: len(whole) // 2]):  # a foreign file, a cut one
        cached.write_bytes(damaged)
        monkeypatch.setattr(language, "_matrix", None)
        again = language._load_matrix()
        assert again.values.tolist() == built.values.tolist()
        assert language._read_matrix(cached) is not None  # and the good file is back


def test_batch_path_matches_langdetect_bit_for_bit() -> None:
    # The texts run side by side in numpy, each with its own random stream and schedule:
    # every trial's numbers must still be langdetect's, early decision or not.
    model, matrix = language._load_model(), language._load_matrix()
    texts = [*ALL_TEXTS, *AMBIGUOUS, "lorem ipsum dolor sit amet " * 20, "Ab CD ef GH ij"]
    stock = []
    for text in texts:
        detector = model.factory.create()
        detector.set_max_text_length(MAX_DETECTION_CHARS * 2)
        detector.append(text)
        detector._detect_block()
        stock.append(detector.langprob)
    rows = [
        language._ngram_vectors(language._prepare(t, MAX_DETECTION_CHARS * 2), matrix.rows)
        for t in texts
    ]
    assert language._probabilities_many(rows, matrix.values, language.N_TRIAL, False) == stock
    vectors = [
        language._ngram_vectors(language._prepare(t, MAX_DETECTION_CHARS * 2), model.vectors)
        for t in texts
    ]
    early = [language._probabilities(v, len(model.langs), language.N_TRIAL, True) for v in vectors]
    assert language._probabilities_many(rows, matrix.values, language.N_TRIAL, True) == early


@pytest.mark.parametrize(
    "tail", [0, language.TAIL_ONE_BY_ONE, 10**6], ids=["numpy", "mixed", "python"]
)
def test_batch_sums_equal_one_by_one_wherever_the_batch_hands_over(
    tail: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last texts of a batch finish one by one, mid-trial: their state (probabilities,
    # weight, steps, sums) must carry over exactly. On 300 generated mails, all in numpy,
    # the default hand-over, and all in Python: the same numbers as _probabilities.
    from app.demo.corpus import generate_corpus
    from app.mail.parse import parse_message

    monkeypatch.setattr(language, "TAIL_ONE_BY_ONE", tail)
    model, matrix = language._load_model(), language._load_matrix()
    texts = [clean_for_detection(parse_message(m.raw).text) for m in generate_corpus(300, seed=4)]
    texts = [language._prepare(t, MAX_DETECTION_CHARS * 2) for t in texts]
    rows = [language._ngram_vectors(t, matrix.rows) for t in texts]
    vectors = [language._ngram_vectors(t, model.vectors) for t in texts]
    rows, vectors = [r for r in rows if r], [v for v in vectors if v]
    for early in (False, True):
        one_by_one = [language._probabilities(v, len(model.langs), 7, early) for v in vectors]
        assert language._probabilities_many(rows, matrix.values, 7, early) == one_by_one


def test_batch_answers_equal_one_by_one_on_a_generated_mailbox() -> None:
    # 400 mails of the demo corpus (11 languages, quoted replies, signatures): the batch
    # path answers exactly as detect_language does, mail by mail.
    from app.demo.corpus import generate_corpus
    from app.mail.parse import parse_message

    texts = [parse_message(m.raw).text for m in generate_corpus(400)]
    init_worker()  # as in a worker process: the texts run side by side
    assert language._matrix is not None
    batched = detect_many(texts)
    one_by_one = [detect_language(t) for t in texts]
    assert batched == one_by_one
    assert len(set(one_by_one) - {UNKNOWN}) >= 8
    # Ingest hands over texts it cleaned as it parsed: cleaning them again changes nothing.
    assert detect_many([clean_for_detection(t) for t in texts], cleaned=True) == batched


def test_early_decision_never_changes_the_answer() -> None:
    for text in [*ALL_TEXTS, *AMBIGUOUS]:
        cleaned = clean_for_detection(text)
        assert language._detect_prepared(cleaned, decide_early=True) == (
            language._detect_prepared(cleaned, decide_early=False)
        )


def test_answers_match_stock_langdetect_with_seed_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DetectorFactory, "seed", 0)
    for text in [*ALL_TEXTS, *AMBIGUOUS]:
        cleaned = clean_for_detection(text)
        assert language._detect_prepared(cleaned) == stock_detect(cleaned), text


# --------------------------------------------------------------------------- determinism


def test_results_do_not_depend_on_call_order() -> None:
    texts = [*ALL_TEXTS, *AMBIGUOUS]
    forward = [detect_language(t) for t in texts]
    backward = [detect_language(t) for t in reversed(texts)]
    assert forward == backward[::-1]
    assert forward == [detect_language(t) for t in texts]


_CHILD = """
import json, sys
from app.mail.language import detect_many
print(json.dumps(detect_many(json.loads(sys.stdin.read()))))
"""


def _detect_in_subprocess(texts: list[str], hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    result: list[str] = json.loads(done.stdout)
    return result


def test_deterministic_across_processes() -> None:
    texts = [*ALL_TEXTS, *AMBIGUOUS]
    first = _detect_in_subprocess(texts, "1")
    second = _detect_in_subprocess(list(reversed(texts)), "2")
    assert first == second[::-1]
    assert first == detect_many(texts)


def test_detect_many_equals_per_call_results() -> None:
    texts = [*ALL_TEXTS, *AMBIGUOUS, "", "ok"]
    assert detect_many(texts) == [detect_language(t) for t in texts]
    assert detect_many([]) == []


def test_detect_many_in_a_process_pool() -> None:
    texts = [*ALL_TEXTS, *AMBIGUOUS]
    batches = [texts[i : i + 8] for i in range(0, len(texts), 8)]
    # spawn: workers start empty, so the initializer really has to load the profiles.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context, initializer=init_worker) as pool:
        results = [label for batch in pool.map(detect_many, batches) for label in batch]
    assert results == detect_many(texts)
