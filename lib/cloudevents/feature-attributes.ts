/** The attributes of the CloudEvents SDK feature files' example event, shared by the binding tests. */
export const featureAttributes = {
  id: "1234-1234-1234",
  specversion: "1.0" as const,
  type: "com.example.someevent",
  source: "/mycontext/subcontext",
  time: "2018-04-05T03:56:24Z",
};
