/** Said wherever scores of a random-weight test model (`info.isTestModel`) are shown. */
export const randomWeightNotice = "random-weight test model: scores carry no meaning";
