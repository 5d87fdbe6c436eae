# SPDX-License-Identifier: Apache-2.0
# Only the EC2 datasource unless told otherwise (upstream's default for Ubuntu, LP#1316475);
# read by the cloud-init-datasources element when the build has it.
export DIB_CLOUD_INIT_DATASOURCES=${DIB_CLOUD_INIT_DATASOURCES:-"Ec2"}
