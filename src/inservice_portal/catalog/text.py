"""Full-text search for Chinese and Latin text: a hypatia splitter and lexicon.

The default splitter takes a run of Han characters as one word, so 「研習」 would find nothing
inside 「教師研習課程」. Here, after NFKC normalisation and lower-casing:
- Latin letters and digits stay whole words (``python``, ``12345``);
- a CJK run becomes overlapping bigrams (自然領域 → 自然 然領 領域) followed by a boundary
  word, which has no postings: it only keeps the phrase check from joining two runs
  (「自然，然後」 does not contain 「自然後」); a run of one character stays that character.
Queries are split the same way without the boundary, so a multi-character query is a phrase
of adjacent bigrams, and a one-character query becomes the glob ``字*``, which the lexicon
answers with every bigram that starts or ends with 字 (and 字 itself).

(Until evolve step 12, each run also ended with its last character alone, so that ``字*``
alone found it: one posting more per run.)
"""
import re
import unicodedata

from hypatia.text.lexicon import Lexicon
from hypatia.text.okapiindex import OkapiIndex
from hypatia.text import TextIndex

_CJK = (r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
        r"\U00020000-\U0002fa1f")
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


BOUNDARY = "|"          # never a word of text (_TOKEN takes no punctuation)


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _indexed_words(run: str) -> list[str]:
    return _bigrams(run) + [BOUNDARY] if len(run) > 1 else [run]


class CJKBigramSplitter:
    """A lexicon pipeline element (hypatia's IPipelineElement); stored in the lexicon, so it
    must stay a plain, importable class."""

    def process(self, lst):
        words = []
        for text in lst:
            for token in _TOKEN.findall(normalise(text)):
                if _CJK_RUN.fullmatch(token):
                    words += _indexed_words(token)
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
    pass would add the index-only boundary and break phrases. Look them up as they are."""

    def termToWordIds(self, text):
        words = text if isinstance(text, list) else [text]
        return [self._wids.get(normalise(word), 0) for word in words]

    def globToWordIds(self, pattern):
        """``字*`` (a one-character query): the words starting with 字, and the bigrams ending
        with it — where a run's last character is."""
        wids = super().globToWordIds(pattern)
        if len(pattern) == 2 and pattern[1] == "*" and _CJK_RUN.fullmatch(pattern[0]):
            wids += self._bigrams_ending_with(pattern[0])
        return wids

    def _bigrams_ending_with(self, char) -> list[int]:
        """The wids of the bigrams ending with ``char``, from a map last character → wids kept
        on this connection's copy of the lexicon (a volatile attribute: never stored) and
        brought up to date from the words added since: hypatia numbers words in order and
        never removes one. Only committed words are kept: an aborted transaction's wids are
        given to other words later, so while this transaction has made words (``word_count``
        changed) the newer ones are read but not remembered."""
        ending, seen = getattr(self, "_v_ending_with", ({}, 0))
        newest = self._words.maxKey() if self._words else 0
        if newest <= seen:
            return ending.get(char, [])
        fresh = {}
        for wid, word in self._words.items(seen + 1, newest):
            if len(word) == 2 and _CJK_RUN.fullmatch(word):
                fresh.setdefault(word[1], []).append(wid)
        if getattr(self.word_count, "_p_changed", False):
            return ending.get(char, []) + fresh.get(char, [])
        for last, wids in fresh.items():
            ending.setdefault(last, []).extend(wids)
        self._v_ending_with = ending, newest
        return ending.get(char, [])


def make_lexicon() -> CJKLexicon:
    lexicon = CJKLexicon(CJKBigramSplitter())
    lexicon._getWordIdCreate(BOUNDARY)       # wid 1: PostingsIndex keeps no postings for it
    return lexicon


class PostingsIndex(OkapiIndex):
    """The text index's word → documents map without relevance scores.

    The catalogue sorts by date or code, never by relevance, yet OkapiIndex stores a float
    score beside every docid of every word (9 bytes more per posting). Here a word's documents are a sorted tuple of docids while few
    (inline in the word map's bucket, like OkapiIndex's small dicts), then an IF.TreeSet.
    hypatia's own queries (``contains``) still work, every match scoring 1.0; the catalogue's
    search reads the postings directly (query_plan.text_match).
    """
    boundary_wid = None      # the lexicon's BOUNDARY, once made by make_text_index

    def _add_posting(self, wid, docid):
        if wid == self.boundary_wid:
            return
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
        if wid == self.boundary_wid:
            return
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
    lexicon = make_lexicon()
    index = PostingsIndex(lexicon)
    index.boundary_wid = lexicon.get_wid(BOUNDARY)
    return TextIndex(discriminator, lexicon=lexicon, index=index)
