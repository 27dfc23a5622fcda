// Package ironic is the engine that talks to Ironic; it never imports Terraform. Every
// call goes through one Client (api.go), built by Connect once per provider
// configuration. Its files, by layer:
//
//   - transport: client.go (Connect, Config, authentication, microversion), api.go (the
//     Client), raw.go (requests gophercloud does not wrap), create.go (idempotent
//     creates), retry.go (RetryPolicy), errors.go, version.go, features.go, progress.go
//     (what a wait reports while it polls);
//   - object calls, one file per kind: nodes.go, ports.go, portgroups.go,
//     allocations.go, deploy_templates.go, runbooks.go (the last three through
//     object_kinds.go's ObjectKind), hardware.go (traits, RAID,
//     BIOS, firmware), inventory.go, list.go (paged lists), each.go (lists read as
//     Terraform reads them: up to a limit, until the reader stops), snapshot.go (a
//     plan's refresh from one list);
//   - states and the state machine: states.go (every provision, power and allocation
//     state and what it means), provision.go (Reach), wait.go (WaitStable, polling),
//     converge.go (Converge, and what it moves or keeps told from a recorded state, as a
//     plan needs it), allocate.go (Allocate), teardown.go (Undeploy, Remove);
//   - rules: enroll.go, deploy.go, adopt.go (Ironic's adopt), adoption.go (what an
//     import may take over), operate.go (the operations actions ask for: power, boot
//     device, rescue, inspect, clean, service, rebuild), image_info.go, protect.go,
//     servicing.go, steps.go, bios.go, hwcheck.go, rootdisk.go (the root disk an image goes
//     to, and whether it fits), maps.go, mac.go.
package ironic
