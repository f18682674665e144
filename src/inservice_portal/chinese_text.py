"""Full-text search for Chinese and Latin text: a hypatia splitter and lexicon.

The default splitter takes a run of Han characters as one word, so 「研習」 would find nothing
inside 「教師研習課程」. Here, after NFKC normalisation and lower-casing:
- Latin letters and digits stay whole words (``python``, ``12345``);
- a CJK run becomes overlapping bigrams (自然領域 → 自然 然領 領域), plus its last character
  alone, so that a one-character query can be answered by the glob ``字*``.
Queries are split the same way without the trailing unigram, so a multi-character query is a
phrase of adjacent bigrams, and a one-character query becomes a prefix glob.
"""
import re
import unicodedata

from hypatia.text.lexicon import Lexicon
from hypatia.text.okapiindex import OkapiIndex

_CJK = (r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
        r"\U00020000-\U0002fa1f")
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


class CJKBigramSplitter:
    """A lexicon pipeline element (hypatia's IPipelineElement); stored in the lexicon, so it
    must stay a plain, importable class."""

    def process(self, lst):
        words = []
        for text in lst:
            for token in _TOKEN.findall(normalise(text)):
                if _CJK_RUN.fullmatch(token):
                    words += _bigrams(token) + [token[-1]]
                else:
                    words.append(token)
        return words

    def processGlob(self, lst):
        words = []
        for text in lst:
            for token in _TOKEN.findall(normalise(text)):
                if _CJK_RUN.fullmatch(token):
                    words += _bigrams(token) if len(token) > 1 else [token + "*"]
                else:
                    words.append(token)
        return words


class CJKLexicon(Lexicon):
    """hypatia runs query words through the pipeline a second time when it looks them up
    (``termToWordIds``); our query words are already split (``processGlob``), and a second
    pass would add the index-only trailing unigram and break phrases. Look them up as they are."""

    def termToWordIds(self, text):
        words = text if isinstance(text, list) else [text]
        return [self._wids.get(normalise(word), 0) for word in words]


def make_lexicon() -> CJKLexicon:
    return CJKLexicon(CJKBigramSplitter())


class PostingsIndex(OkapiIndex):
    """The text index's word → documents map without relevance scores.

    The catalogue sorts by date or code, never by relevance, yet OkapiIndex stores a float
    score beside every docid of every word (9 bytes more per posting, most of the catalog at
    a million courses). Here a word's documents are a sorted tuple of docids while few
    (inline in the word map's bucket, like OkapiIndex's small dicts), then an IF.TreeSet.
    hypatia's own queries (``contains``) still work, every match scoring 1.0; the catalogue's
    search reads the postings directly (query_plan.text_match).
    """

    def _add_posting(self, wid, docid):
        postings = self._wordinfo.get(wid)
        if postings is None:
            self._wordinfo[wid] = (docid,)
            self.word_count.change(1)
        elif isinstance(postings, tuple):
            if docid not in postings:
                if len(postings) + 1 >= self.DICT_CUTOFF:
                    self._wordinfo[wid] = self.family.IF.TreeSet(postings + (docid,))
                else:
                    self._wordinfo[wid] = tuple(sorted(postings + (docid,)))
        else:
            postings.insert(docid)

    def _mass_add_wordinfo(self, wid2weight, docid):
        for wid in wid2weight:
            self._add_posting(wid, docid)

    def _add_wordinfo(self, wid, f, docid):
        self._add_posting(wid, docid)

    def _del_wordinfo(self, wid, docid):
        postings = self._wordinfo[wid]
        if isinstance(postings, tuple):
            postings = tuple(d for d in postings if d != docid)
            if postings:
                self._wordinfo[wid] = postings
        else:
            postings.remove(docid)
        if not postings:
            del self._wordinfo[wid]
            self.word_count.change(-1)

    def docids(self, wid):
        postings = self._wordinfo.get(wid, ())
        return self.family.IF.Set(postings) if isinstance(postings, tuple) else postings

    def _search_wids(self, wids):
        out = []
        for wid in wids:
            scores = self.family.IF.Bucket()
            scores.update([(docid, 1.0) for docid in self.docids(wid)])
            out.append((scores, 1.0))
        return out

    def query_weight(self, terms):
        return 1.0


def make_text_index(discriminator):
    from hypatia.text import TextIndex

    lexicon = make_lexicon()
    return TextIndex(discriminator, lexicon=lexicon, index=PostingsIndex(lexicon))
