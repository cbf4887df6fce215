"""Scripts written without spaces between words (Thai, Japanese, Chinese, Korean): messages
holding them also go to a trigram index, so that any substring of three or more characters can
be found. A module of its own so the schema reads it without the content codec (`blocks`), which
a lean command (`import` of an unchanged tree) never needs."""

NO_SPACE_SCRIPTS = "\u0e00-\u0e7f\u3040-\ud7af\uf900-\ufaff"
