"""Code lists that field values are validated against.

``language:`` takes ISO 639-1 codes and ``country:`` ISO 3166-1 alpha-3 codes, as in
Brandwatch. The lists are data, not logic: kept inline so the package has no runtime
dependency.
"""

from __future__ import annotations

__all__ = ["ISO_3166_ALPHA3", "ISO_639_1"]

ISO_639_1: frozenset[str] = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
    """.split()
)

ISO_3166_ALPHA3: frozenset[str] = frozenset(
    """
    abw afg ago aia ala alb and are arg arm asm ata atf atg aus aut aze bdi bel ben bes bfa
    bgd bgr bhr bhs bih blm blr blz bmu bol bra brb brn btn bvt bwa caf can cck che chl chn
    civ cmr cod cog cok col com cpv cri cub cuw cxr cym cyp cze deu dji dma dnk dom dza ecu
    egy eri esh esp est eth fin fji flk fra fro fsm gab gbr geo ggy gha gib gin glp gmb gnb
    gnq grc grd grl gtm guf gum guy hkg hmd hnd hrv hti hun idn imn ind iot irl irn irq isl
    isr ita jam jey jor jpn kaz ken kgz khm kir kna kor kwt lao lbn lbr lby lca lie lka lso
    ltu lux lva mac maf mar mco mda mdg mdv mex mhl mkd mli mlt mmr mne mng mnp moz mrt msr
    mtq mus mwi mys myt nam ncl ner nfk nga nic niu nld nor npl nru nzl omn pak pan pcn per
    phl plw png pol pri prk prt pry pse pyf qat reu rou rus rwa sau sdn sen sgp sgs shn sjm
    slb sle slv smr som spm srb ssd stp sur svk svn swe swz sxm syc syr tca tcd tgo tha tjk
    tkl tkm tls ton tto tun tur tuv twn tza uga ukr umi ury usa uzb vat vct ven vgb vir vnm
    vut wlf wsm yem zaf zmb zwe
    """.split()
)
