/* std::knuth_b (libstdc++): shuffle_order_engine<minstd_rand0, 256>. The base b_n = start * 16807**n
 * mod 2**31 - 1 (start = seed mod 2**31 - 1, 0 becomes 1) fills v[j] = b_{j+1} for j < 256 and
 * y = b_257; each output: j = 256 (y - 1) / (2**31 - 2), y = v[j], v[j] = the next base output;
 * raw = y.
 *
 * Hot path: the table is never filled in bulk. An untouched slot j still holds b_{j+1}, computed on
 * demand from the constant power 16807**(j+1); slots that have been refilled are marked in a
 * 256-bit mask and read from v. Seeding is one multiplication; each output is two. Exact for any
 * stream length (after enough outputs every slot has been refilled and v is the real table). */
/* the table index differs from thread to thread: CUDA reads it through the data cache
 * (__constant__ would serialize a warp's distinct addresses); OpenCL 1.2 allows only __constant */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define knuth_b_CONSTANT __device__ const
#else
#define knuth_b_CONSTANT __constant
#endif

/* 16807**(j + 1) mod 2**31 - 1 */
knuth_b_CONSTANT uint knuth_b_POW[256] = {
    16807u, 282475249u, 1622650073u, 984943658u, 1144108930u, 470211272u, 101027544u, 1457850878u,
    1458777923u, 2007237709u, 823564440u, 1115438165u, 1784484492u, 74243042u, 114807987u, 1137522503u,
    1441282327u, 16531729u, 823378840u, 143542612u, 896544303u, 1474833169u, 1264817709u, 1998097157u,
    1817129560u, 1131570933u, 197493099u, 1404280278u, 893351816u, 1505795335u, 1954899097u, 1636807826u,
    563613512u, 101929267u, 1580723810u, 704877633u, 1358580979u, 1624379149u, 2128236579u, 784558821u,
    530511967u, 2110010672u, 1551901393u, 1617819336u, 1399125485u, 156091745u, 1356425228u, 1899894091u,
    585640194u, 937186357u, 1646035001u, 1025921153u, 510616708u, 590357944u, 771515668u, 357571490u,
    1044788124u, 1927702196u, 1952509530u, 130060903u, 1942727722u, 1083454666u, 1108728549u, 685118024u,
    2118797801u, 1060806853u, 571540977u, 194847408u, 2035308228u, 158374933u, 1075260298u, 824938981u,
    595028635u, 1962408013u, 1137623865u, 997389814u, 2020739063u, 107554536u, 1635339425u, 1654001669u,
    1777724115u, 269220094u, 34075629u, 1478446501u, 1864546517u, 1351934195u, 1581030105u, 1557810404u,
    2146319451u, 1908194298u, 500782188u, 657821123u, 753799505u, 1102246882u, 1269406752u, 1816731566u,
    884936716u, 1807130337u, 578354438u, 892053144u, 1153851501u, 1004844897u, 616783871u, 382955828u,
    330111137u, 1227619358u, 1723153177u, 70982397u, 1147722294u, 1070477904u, 2051621609u, 1606946231u,
    1190959745u, 1912844175u, 1341853635u, 1808266298u, 343098142u, 456880399u, 1534827968u, 280090412u,
    195400260u, 589673557u, 6441594u, 889688008u, 57716395u, 1524325968u, 2014119113u, 515204530u,
    388471006u, 681910962u, 1904797942u, 1400285365u, 322842082u, 1463179852u, 828530767u, 832633821u,
    1073185695u, 316824712u, 1260973671u, 1815859901u, 1267248590u, 2051724831u, 1194314738u, 318153057u,
    2111631616u, 877819790u, 304555640u, 1213110679u, 541437335u, 1049077006u, 996497972u, 2063936098u,
    270649095u, 428975319u, 685583454u, 1351345223u, 272112289u, 1398556760u, 1334948905u, 1724586126u,
    532236123u, 1023129506u, 836045813u, 436476770u, 60935238u, 1936329094u, 915896220u, 304987844u,
    2034712366u, 881140534u, 281725226u, 1901915394u, 197941363u, 348318738u, 152607844u, 784559590u,
    543436550u, 290145159u, 1681808623u, 977764947u, 750597385u, 971307217u, 1737195272u, 2000755539u,
    1399399247u, 462242385u, 1459413496u, 1951894885u, 537140623u, 1848682420u, 1012028144u, 1086531968u,
    1289335735u, 1755699915u, 1623161625u, 992663534u, 2043046042u, 1358796011u, 943454679u, 1771024152u,
    1479575244u, 1507977295u, 2119878818u, 2049590396u, 1828087692u, 621301815u, 1154112991u, 1104740033u,
    222122669u, 889119397u, 1238489553u, 1882410547u, 944975825u, 1567121210u, 1866729662u, 1536830211u,
    1719533808u, 1517273377u, 1592822761u, 41000625u, 1902737335u, 1127401868u, 994977995u, 140002776u,
    1532062767u, 1049997439u, 1433829874u, 1464689331u, 428540556u, 1968456301u, 1859468872u, 1911300560u,
    1168120094u, 298918984u, 967113755u, 2124639789u, 462851407u, 957828015u, 678030193u, 1105222769u,
    1893015680u, 944303455u, 1004016855u, 1732267506u, 784170963u, 454233502u, 2145586676u, 329863108u,
    1353963249u, 1323602331u, 1277844u, 1887638u, 1660760808u, 1561939997u, 685428651u, 897054849u,
};

typedef struct {
    uint v[256];    /* slot j, valid where bit j of have is set */
    uint have[8];
    uint start;     /* b_0 */
    uint b;         /* the base's latest output */
    uint y;
} knuth_b_state;

/* x * a mod 2**31 - 1 for x, a < 2**31 */
DEVICE uint knuth_b_mulmod(uint x, uint a) {
    ulong p = (ulong)x * (ulong)a;                   /* < 2**62 */
    p = (p & 0x7FFFFFFFUL) + (p >> 31);              /* < 2**32 */
    p = (p & 0x7FFFFFFFUL) + (p >> 31);              /* <= 2**31 */
    if (p >= 0x7FFFFFFFUL) p -= 0x7FFFFFFFUL;
    return (uint)p;
}

DEVICE void knuth_b_seed(knuth_b_state *st, ulong seed) {
    /* seeds are < 2**32: one fold of 2**31 = 1 (mod 2**31 - 1) leaves at most 2**31 */
    ulong s = seed & 0xFFFFFFFFUL;
    s = (s & 0x7FFFFFFFUL) + (s >> 31);
    if (s >= 0x7FFFFFFFUL) s -= 0x7FFFFFFFUL;
    st->start = s == 0UL ? 1u : (uint)s;
    st->b = knuth_b_mulmod(st->start, 1465645203u);  /* b_257: 16807**257 mod 2**31 - 1 */
    st->y = st->b;
    for (uint w = 0; w < 8; w++) st->have[w] = 0u;
}

DEVICE ulong knuth_b_next(knuth_b_state *st) {
    /* j = floor(256 (y - 1) / (2**31 - 2)): (y - 1) >> 23 or one more */
    uint d = st->y - 1u;
    uint j = d >> 23;
    if (((ulong)d << 8) >= (ulong)(j + 1u) * 2147483646UL) j++;
    uint word = j >> 5, bit = 1u << (j & 31u);
    uint y = (st->have[word] & bit) ? st->v[j] : knuth_b_mulmod(st->start, knuth_b_POW[j]);
    st->b = knuth_b_mulmod(st->b, 16807u);
    st->v[j] = st->b;
    st->have[word] |= bit;
    st->y = y;
    return y;
}

/* std::generate_canonical<double, 53> (std::uniform_real_distribution<double>): 2 calls,
 * sum (r_i - min()) R**i / R**2, clamped below 1 (CanonicalDouble in kernels/generators/lcg.py) */
#define knuth_b_HAS_DOUBLE 1
DEVICE double knuth_b_double(knuth_b_state *st) {
    /* R = 2**31 - 2: the first word counts 1, the second R; (r2 - 1) R < 2**62 is an exact
     * integer rounded once on conversion, as g++ rounds the double product (no fused multiply-add) */
    double first = (double)(knuth_b_next(st) - 1UL);
    double second = (double)((knuth_b_next(st) - 1UL) * 2147483646UL);
    double value = (first + second) / 4611686009837453316.0;  /* (double)(R * R) */
    return value < 1.0 ? value : 0.99999999999999988898;
}
