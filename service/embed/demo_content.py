"""The demo page's article, in each language of the string catalogue (invented news)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Article:
    """A news article: section, headline, standfirst, byline, date line and paragraphs."""

    paper: str
    section: str
    headline: str
    standfirst: str
    byline: str
    dateline: str
    paragraphs: tuple[str, ...]
    comments_intro: str


ARTICLES = {
    "en": Article(
        paper="The Riverside Courier",
        section="Local news · Transport",
        headline="Council approves riverside cycle path after two-year debate",
        standfirst=(
            "The 4.2 km route will link the old harbour to the university campus. "
            "Construction starts in spring; some traders still fear for their deliveries."
        ),
        byline="By Maya Okafor, transport correspondent",
        dateline="Published 12 March, 08:30",
        paragraphs=(
            "After nearly two years of consultations, petitions and one memorably long "
            "public meeting, the city council voted on Tuesday evening to build a protected "
            "cycle path along the east bank of the river. The motion passed by 31 votes to 12.",
            "The route follows the old towpath from the harbour steps to the university's "
            "north gate. Planners say it will take about 1,800 cyclists a day off the ring "
            "road, where three serious collisions were recorded last year.",
            "“This is the most-requested change in every survey we have run since 2019,” "
            "said councillor Ines Duarte, who chairs the transport committee. “People told us "
            "they would cycle if they felt safe. Now we have to deliver it on time.”",
            "Not everyone is convinced. The Harbour Street traders' association says the "
            "loss of eleven loading bays will make morning deliveries harder, and has asked "
            "for a trial period before the bays are removed. The council has agreed to "
            "review the loading arrangements six months after opening.",
            "The €6.8 million project is funded in part by a regional active-travel grant. "
            "Work is due to begin in April and finish before the autumn term.",
        ),
        comments_intro="Have your say. Comments are moderated before they appear.",
    ),
    "fr": Article(
        paper="Le Courrier des Berges",
        section="Actualité locale · Transports",
        headline="Le conseil municipal adopte la piste cyclable des berges après deux ans de débat",
        standfirst=(
            "Le tracé de 4,2 km reliera le vieux port au campus universitaire. Les travaux "
            "commencent au printemps ; des commerçants s’inquiètent encore pour leurs livraisons."
        ),
        byline="Par Maya Okafor, correspondante transports",
        dateline="Publié le 12 mars à 8 h 30",
        paragraphs=(
            "Après près de deux ans de concertation, de pétitions et une réunion publique "
            "restée dans les mémoires, le conseil municipal a voté mardi soir la création d’une "
            "piste cyclable protégée le long de la rive est. La motion a été adoptée par 31 voix "
            "contre 12.",
            "Le tracé suit l’ancien chemin de halage, des marches du port jusqu’à l’entrée nord "
            "de l’université. Selon les urbanistes, il devrait détourner environ 1 800 "
            "cyclistes par jour du boulevard périphérique, où trois accidents graves ont eu "
            "lieu l’an dernier.",
            "« C’est la demande la plus fréquente de toutes nos enquêtes depuis 2019 », explique "
            "la conseillère Ines Duarte, présidente de la commission des transports.",
            "L’association des commerçants de la rue du Port craint toutefois que la suppression "
            "de onze aires de livraison complique les livraisons du matin. La ville réexaminera "
            "le dispositif six mois après l’ouverture.",
        ),
        comments_intro="Donnez votre avis. Les commentaires sont modérés avant publication.",
    ),
    "ar": Article(
        paper="بريد ضفة النهر",
        section="أخبار محلية · النقل",
        headline="المجلس البلدي يوافق على مسار للدراجات على ضفة النهر بعد نقاش دام عامين",
        standfirst=(
            "سيربط المسار البالغ طوله 4.2 كيلومترات الميناء القديم بالحرم الجامعي. "
            "تبدأ الأشغال في الربيع، وما زال بعض التجار قلقين بشأن عمليات التوصيل."
        ),
        byline="بقلم مايا أوكافور، مراسلة شؤون النقل",
        dateline="نُشر في 12 مارس، الساعة 8:30",
        paragraphs=(
            "بعد قرابة عامين من المشاورات والعرائض واجتماع عام طويل، صوّت المجلس البلدي مساء "
            "الثلاثاء على إنشاء مسار محمي للدراجات على الضفة الشرقية للنهر، بأغلبية 31 صوتًا "
            "مقابل 12.",
            "يتبع المسار درب القطر القديم من درجات الميناء حتى البوابة الشمالية للجامعة. "
            "ويقول المخططون إنه سيخفف ضغط نحو 1800 دراجة يوميًا عن الطريق الدائري.",
            "وقالت عضوة المجلس إينيس دوارتي، رئيسة لجنة النقل: «هذا هو التغيير الأكثر طلبًا "
            "في كل استطلاع أجريناه منذ عام 2019».",
            "في المقابل، تخشى جمعية تجار شارع الميناء أن يؤدي إلغاء أحد عشر موقفًا للتحميل إلى "
            "صعوبة التوصيل صباحًا، وقد وافقت البلدية على مراجعة الترتيبات بعد ستة أشهر من الافتتاح.",
        ),
        comments_intro="شاركنا رأيك. تخضع التعليقات للمراجعة قبل نشرها.",
    ),
}


def article(lang: str) -> Article:
    """Return the demo article in ``lang``, or in English."""
    return ARTICLES.get(lang, ARTICLES["en"])
