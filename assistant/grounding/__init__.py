"""Whether an answer rests on its sources: the policy, the checks it declares, and answers quoted from articles."""
