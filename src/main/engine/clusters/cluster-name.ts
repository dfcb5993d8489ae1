// The name rules are shared with the wizard, which checks them at the field.
export { clusterNameProblem, MAX_CLUSTER_NAME_LENGTH } from '../../../shared/cluster-names';
