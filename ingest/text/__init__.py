"""The language both sides share: sentence spans, content words and stems, and one lexicon of the words that
mark who said what, when, and where a clause ends."""
