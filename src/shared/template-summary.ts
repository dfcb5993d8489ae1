/** What a template adds up to, as the wizard shows it (plain data, shared with the renderer). */
export interface TemplateSummary {
  /** Preset name, or the template's own name ("custom" when it has none). */
  name: string;
  /** One line for pickers; presets only. */
  description?: string;
  nodes: number;
  pods: number;
  /** Kubernetes quantities summed over the nodes, e.g. {cpu: "8", memory: "16Gi", pods: "220"}. */
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  /** Summed pod requests and limits (what Rancher shows as requested and limits). */
  requests: Record<string, string>;
  limits: Record<string, string>;
}
