/** The query and documents of Cohere's rerank documentation example, shared by the wire and SDK tests. */
export const exampleQuery = "What is the capital of the United States?";
export const exampleDocuments = [
  "Carson City is the capital city of the American state of Nevada.",
  "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean.",
  "Washington, D.C. is the capital of the United States.",
  "Capital punishment has existed in the United States since before it was a country.",
];
